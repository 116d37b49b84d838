"""The core every other part stands on: where the files are and which street is served
(`settings`), the writer lock, the serving snapshot's read side, logging and the user-facing texts.
It imports nothing else of the project."""
