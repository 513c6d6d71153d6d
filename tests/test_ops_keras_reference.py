"""Every keras.ops call in tests/references/keras3/ops/ gives Keras's values and dtypes on symk, eagerly and in a graph."""
import pytest

import ops_reference


@pytest.mark.parametrize("family", ops_reference.families())
def test_family_matches_keras(family):
    problems = ops_reference.check_family(family)
    assert not problems, f"{len(problems)} mismatches with Keras 3:\n" + "\n".join(problems[:40])
