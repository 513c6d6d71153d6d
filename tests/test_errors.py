"""Every error path of the core: each message says what was wrong, where, and what to do."""
import numpy as np
import pytest

import symk
from symk import backend as K
from symk import initializers, ops
from symk.errors import GraphError, ShapeError
from symk.layers import Dense, Input, Layer, Reshape, add, concatenate
from symk.models import Model, Sequential


def test_shape_error_at_layer_call_names_layer_op_shapes_and_hint():
    class Project(Layer):
        def call(self, x):
            return ops.matmul(x, np.ones((5, 2), "float32"))

    with pytest.raises(ShapeError) as info:
        Project(name="project")(Input(shape=(4,)))
    message = str(info.value)
    for part in ("'project'", "matmul", "(None, 4)", "(5, 2)", "Hint:"):
        assert part in message, (part, message)
    assert isinstance(info.value, ValueError)


def test_shape_errors_are_raised_while_building_not_inside_jax():
    a, b = Input(shape=(3,)), Input(shape=(4,))
    with pytest.raises(ShapeError, match=r"broadcast.*\(None, 3\), \(None, 4\)"):
        a + b
    with pytest.raises(ShapeError, match=r"'reshape'.*\(None, 3, 4\) \(12 elements per sample\).*\(3, 2\)"):
        Reshape((3, 2))(Input(shape=(3, 4)))
    with pytest.raises(ShapeError, match=r"axis 2 is out of range for a tensor of rank 2"):
        ops.sum(a, axis=2)


def test_dense_built_for_64_refuses_128_with_input_spec_message():
    dense = Dense(10, name="dense_2")
    dense(Input(shape=(64,)))
    with pytest.raises(ShapeError) as info:
        dense(Input(shape=(128,)))
    message = str(info.value)
    assert "'dense_2'" in message and "axis -1" in message and "64" in message and "(None, 128)" in message


def test_input_spec_rank_errors():
    with pytest.raises(ShapeError, match=r"'dense'.*min_ndim=2, found ndim=1"):
        Dense(3, name="dense")(K.placeholder(shape=(5,)))


def test_merge_layers_report_mismatched_shapes():
    with pytest.raises(ShapeError, match=r"Add.*\(None, 3\), \(None, 4\).*Hint"):
        add([Input(shape=(3,)), Input(shape=(4,))])
    with pytest.raises(ShapeError, match=r"concatenat.*axis 1 has sizes \[2, 3\]"):
        concatenate([Input(shape=(2, 5)), Input(shape=(3, 5))])


def test_graph_disconnected_names_the_missing_input():
    a, b = Input(shape=(2,), name="input_a"), Input(shape=(2,), name="input_b")
    out = Dense(1)(add([a, b]))
    with pytest.raises(GraphError, match=r"Graph disconnected.*'input_b'.*inputs=\["):
        Model(inputs=a, outputs=out)


def test_model_inputs_must_be_symbolic():
    with pytest.raises(GraphError, match=r"symbolic tensors.*ndarray.*predict"):
        Model(inputs=np.zeros((1, 2)), outputs=Dense(1)(Input(shape=(2,))))
    x = Input(shape=(2,))
    with pytest.raises(GraphError, match=r"produced by op 'add'.*Input"):
        Model(inputs=x + 1, outputs=Dense(1)(x + 1))
    with pytest.raises(GraphError, match="both `inputs` and `outputs`"):
        Model(inputs=x)


def test_layer_output_with_several_call_sites_points_to_get_output_at():
    shared = Dense(3, name="shared")
    shared(Input(shape=(2,)))
    shared(Input(shape=(2,)))
    with pytest.raises(AttributeError, match=r"'shared' has multiple inbound nodes.*get_output_at\(node_index\)"):
        shared.output
    with pytest.raises(AttributeError, match=r"get_input_at"):
        shared.input
    with pytest.raises(AttributeError, match="never been called"):
        Dense(2).output


def test_different_input_shapes_point_to_get_input_shape_at():
    class Identity(Layer):
        def call(self, x):
            return x

    layer = Identity(name="ident")
    layer(Input(shape=(2,)))
    layer(Input(shape=(3,)))
    with pytest.raises(AttributeError, match=r"get_input_shape_at"):
        layer.input_shape
    with pytest.raises(ValueError, match=r"node 5.*only 2 inbound"):
        layer.get_output_at(5)


def test_unknown_initializer_and_activation_names():
    with pytest.raises(ValueError, match=r"unknown initializer 'glorot_uniformm'; known:.*glorot_uniform"):
        initializers.get("glorot_uniformm")
    with pytest.raises(ValueError, match=r"unknown activation 'rellu'; known:.*relu"):
        Dense(2, activation="rellu")


def test_set_weights_count_and_shape_mismatches():
    layer = Dense(3, name="dense_w")
    layer(Input(shape=(2,)))
    with pytest.raises(ValueError, match=r"'dense_w' expects 2 weight arrays \(dense_w/kernel, dense_w/bias\), but received 1"):
        layer.set_weights([np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"'dense_w/kernel' has shape \(2, 3\).*shape \(3, 2\)"):
        layer.set_weights([np.zeros((3, 2)), np.zeros(3)])
    model = Sequential([Dense(2, input_shape=(4,))])
    with pytest.raises(ValueError, match=r"expects 2 weight arrays .*but received 3"):
        model.set_weights([np.zeros((4, 2)), np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match=r"has shape \(2,\).*\(5,\)"):
        model.set_weights([np.zeros((4, 2)), np.zeros(5)])


def test_predict_with_wrong_data_shape_or_count():
    model = Sequential([Dense(2, input_shape=(4,))])
    with pytest.raises(ValueError, match=r"should have shape \(None, 4\).*\(3, 5\)"):
        model.predict(np.zeros((3, 5)))
    a, b = Input(shape=(1,), name="a"), Input(shape=(1,), name="b")
    two = Model([a, b], add([a, b]))
    with pytest.raises(ValueError, match=r"expects 2 input array"):
        two.predict(np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        two.predict({"a": np.zeros((3, 1))})


def test_sequential_add_rejects_non_layers_and_mixed_graphs():
    with pytest.raises(TypeError, match=r"Did you forget to instantiate"):
        Sequential().add(Dense)
    x = Input(shape=(2,))
    K.clear_session()
    y = Input(shape=(2,))
    with pytest.raises(GraphError, match=r"another graph.*clear_session"):
        x + y


def test_symbolic_tensor_truth_value_and_iteration_are_refused():
    x = Input(shape=(2,))
    with pytest.raises(TypeError, match=r"truth value.*where"):
        bool(x)
    with pytest.raises(TypeError, match="not iterable"):
        list(x)


def test_unknown_op_attribute_and_op_name():
    from symk.ops.registry import apply, get_op

    with pytest.raises(TypeError, match=r"unknown attribute\(s\) \['axes'\]"):
        apply("sum", [Input(shape=(2,))], axes=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'axes'"):
        ops.sum(Input(shape=(2,)), axes=1)   # Keras's signature: axis
    with pytest.raises(KeyError, match="unknown op 'frobnicate'"):
        get_op("frobnicate")


def test_eval_of_symbolic_tensor_points_to_k_function():
    with pytest.raises(ValueError, match="K.function"):
        K.eval(K.placeholder(shape=(None, 2)))
