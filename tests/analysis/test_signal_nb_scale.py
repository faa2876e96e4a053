"""The naive-Bayes column scale the signal scorer's heads are fitted over (NBSVM)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
from scipy import sparse

from unshared.analysis.signal_training import nb_scale


def _lines() -> tuple[sparse.csr_matrix, np.ndarray]:
    # columns: 0 only in coercive lines, 1 in every line, 2 only in benign lines, 3 never seen,
    # 4 in one coercive and one benign line
    x = sparse.csr_matrix(
        np.array(
            [
                [0.5, 0.5, 0.0, 0.0, 0.5],
                [0.4, 0.4, 0.0, 0.0, 0.0],
                [0.7, 0.7, 0.0, 0.0, 0.0],
                [0.0, 0.3, 0.3, 0.0, 0.3],
                [0.0, 0.6, 0.6, 0.0, 0.0],
                [0.0, 0.2, 0.2, 0.0, 0.0],
            ]
        )
    )
    return x, np.array([1, 1, 1, 0, 0, 0])


def test_an_ngram_that_leans_to_one_side_weighs_more_than_one_on_both() -> None:
    x, y = _lines()
    scale = nb_scale(x, y)
    assert scale[0] > scale[4] and scale[2] > scale[4]
    assert scale[1] < scale[0] and scale[1] < scale[2]
    # presence counts, not the values in the matrix: scaling a line's values changes nothing
    assert np.allclose(nb_scale(x.multiply(3.0).tocsr(), y), scale)


def test_the_scale_is_symmetric_and_keeps_the_mean_at_one() -> None:
    x, y = _lines()
    scale = nb_scale(x, y)
    assert scale.mean() == pytest.approx(1.0)
    assert scale[0] == pytest.approx(scale[2])  # as far to one side as to the other
    assert np.array_equal(nb_scale(x, 1 - y), scale)


def test_smoothing_pulls_rare_ngrams_towards_no_lean() -> None:
    x, y = _lines()
    rare = sparse.csr_matrix(np.array([[0.5], [0], [0], [0], [0], [0]]))  # one coercive line
    x = sparse.hstack([x, rare]).tocsr()
    sharp, smooth = nb_scale(x, y, alpha=0.1), nb_scale(x, y, alpha=10.0)
    # the n-gram seen once counts for less beside the one seen in three lines as alpha grows
    assert smooth[5] / smooth[0] < sharp[5] / sharp[0] < 1.0
