"""The terminal adapter's screen: what the officer sees, laid out for a terminal or a pipe.

`screen` owns the output (colour, word wrapping, transient waiting lines, the prompt), `render`
turns sessions, turns and debriefs into what is shown, `logs` keeps library noise and log lines
from breaking either.
"""
