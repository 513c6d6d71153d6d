"""symk.distribution.process_input in this process (one process, one device): when data counts as
each process's own slice, and the per-process shuffle's contract (a permutation of the process's
rows that draws the same from the shared generator whatever the row count, so processes holding
different counts stay in step). The two-process runs are in test_distribution_local_data.py."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symk import distribution as dist
from symk import random_state
from symk.distribution import process_input


def test_one_process_never_feeds_local_data():
    assert not process_input.feeds_local_data(None)
    assert not process_input.feeds_local_data(dist.DataParallel(auto_shard_dataset=False))  # one process
    assert process_input.data_shards(dist.DataParallel()) == 1


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 16), shuffle=st.sampled_from([False, True, "batch"]))
def test_local_order_is_a_permutation_keeping_batches_whole_when_asked(n, batch_size, shuffle):
    random_state.set_seed(11)
    order = process_input.local_order(n, batch_size, shuffle)
    assert sorted(order.tolist()) == list(range(n))
    if not shuffle:
        assert order.tolist() == list(range(n))
    if shuffle == "batch":  # the batches of the unshuffled order, in another order
        starts = [i for i in range(len(order)) if order[i] % batch_size == 0]
        runs = [order[a:b].tolist() for a, b in zip(starts, starts[1:] + [n])]
        assert all(run == list(range(run[0], run[0] + len(run))) for run in runs)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 200), other=st.integers(1, 200))
def test_local_shuffle_draws_the_same_from_the_shared_generator_whatever_the_count(n, other):
    random_state.set_seed(5)
    process_input.local_order(n, 8, True)
    after_n = random_state.numpy_rng().integers(0, 2**31)
    random_state.set_seed(5)
    process_input.local_order(other, 8, True)
    assert random_state.numpy_rng().integers(0, 2**31) == after_n
