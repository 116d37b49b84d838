"""The dbt project run against the lake: the command, its environment and what a run needs to build."""
