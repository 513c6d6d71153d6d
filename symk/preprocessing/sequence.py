"""keras.preprocessing.sequence: pad_sequences and TimeseriesGenerator's successor."""
from ..utils.sequence_utils import pad_sequences  # noqa: F401
from ..utils.timeseries import timeseries_dataset_from_array  # noqa: F401
