"""The ONNX operators symk does not import, with the reason for each group (the documented list).

A model that uses one of these (or any operator missing from symk/onnx/import_ops_*.py) fails at
load_model with an OnnxImportError naming the operator and the node, and pointing here.
"""
from __future__ import annotations

UNSUPPORTED_DOC = "symk/onnx/import_unsupported.py (symk.onnx.import_unsupported.UNSUPPORTED)"

UNSUPPORTED: dict[str, str] = {}


def _group(reason: str, *op_types: str) -> None:
    for op in op_types:
        UNSUPPORTED[op] = reason


_group("strings have no JAX dtype", "StringConcat", "StringNormalizer", "StringSplit", "RegexFullMatch",
       "TfIdfVectorizer", "LabelEncoder")
_group("sequences and optionals are not tensors; symk's graph carries tensors only", "SequenceAt",
       "SequenceConstruct", "SequenceEmpty", "SequenceErase", "SequenceInsert", "SequenceLength", "SequenceMap",
       "SplitToSequence", "ConcatFromSequence", "Optional", "OptionalGetElement", "OptionalHasElement")
_group("quantized and low-precision integer arithmetic is not mapped yet", "QuantizeLinear", "DequantizeLinear",
       "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger")
_group("training operators (ai.onnx.preview.training) are not imported; symk trains with its own optimizers",
       "Adagrad", "Adam", "Momentum", "Gradient")
_group("output shape depends on the values (data-dependent shapes need fixed sizes in XLA)", "Unique", "Compress",
       "NonMaxSuppression")
_group("recurrent operators are not mapped yet (symk's rnn op has Keras gate orders)", "LSTM", "GRU", "RNN")
_group("not mapped yet", "RotaryEmbedding", "GroupNormalization", "Resize",
       "Upsample", "GridSample", "AffineGrid", "RoiAlign", "MaxUnpool", "MaxRoiPool", "DeformConv", "Col2Im",
       "CenterCropPad", "DFT", "STFT", "MelWeightMatrix", "BlackmanWindow", "HammingWindow", "HannWindow",
       "ImageDecoder", "Bernoulli", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
       "Multinomial", "Det", "ReverseSequence", "Scatter", "BitCast",
       "TensorScatter", "LinearAttention", "FlexAttention", "CausalConvWithState",
       "SwiGLU")
_group("ONNX-ML operators (ai.onnx.ml domain) are not imported", "TreeEnsemble", "ArrayFeatureExtractor",
       "Binarizer")
