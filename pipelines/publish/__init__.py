"""What the pipeline hands to its readers: the serving snapshot and the files under data/published/."""
