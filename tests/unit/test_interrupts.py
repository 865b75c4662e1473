"""A clean-up under dockerlab.interrupts.held runs to its end through Ctrl-C, and the Ctrl-C is not lost."""
from __future__ import annotations

import os
import signal

import pytest

from dockerlab.interrupts import held


def test_ctrl_c_during_the_block_waits_for_its_end_and_is_raised_then():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with held():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("the rest of the clean-up")
    assert done == ["the rest of the clean-up"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_error_of_the_block_is_not_replaced_by_the_held_ctrl_c():
    with pytest.raises(ValueError):
        with held():
            os.kill(os.getpid(), signal.SIGINT)
            raise ValueError("the block's own")


def test_no_ctrl_c_no_exception():
    with held():
        pass
