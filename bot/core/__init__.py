"""The practice engine: personas, sessions, rubric, debrief and store. No discord, no torch."""
