"""Messages for the user: to stdout, or to Python's logging when symk.config.disable_interactive_logging()
is in force (as Keras's io_utils.print_msg does).

    print_msg("Epoch 1/5")
"""
from __future__ import annotations

import logging
import sys

from . import config


def print_msg(message: str, line_break: bool = True) -> None:
    if config.is_interactive_logging_enabled():
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        logging.getLogger("symk").info(message)
