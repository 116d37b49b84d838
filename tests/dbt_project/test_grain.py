"""Every model and seed has a uniqueness test on its grain (dbt_project/README.md, "Models and grain").

The grain is what a model's YAML description states ("One row per …"); the test that holds the
model to it is `unique` on a one-column key or the project's `unique_combination`
(macros/tests/unique_combination.sql) on a key of several columns. A uniqueness test that only
warns or filters rows with `where` does not hold the grain and does not count.
"""

from __future__ import annotations

GRAIN_TESTS = ("unique", "unique_combination")


def grain_tests(manifest: dict) -> dict[str, list[dict]]:
    """The enforcing uniqueness tests of the manifest, by the unique id of the node they test."""
    found: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or meta.get("name") not in GRAIN_TESTS:
            continue
        if node["config"].get("severity", "error").lower() != "error" or node["config"].get("where"):
            continue
        kwargs = meta.get("kwargs", {})
        key = [kwargs["column_name"]] if meta["name"] == "unique" else list(kwargs.get("columns") or [])
        if key and node.get("attached_node"):
            found.setdefault(node["attached_node"], []).append({"test": meta["name"], "key": key})
    return found


def test_every_model_has_a_uniqueness_test_on_its_grain(parsed_manifest):
    models = {uid: n for uid, n in parsed_manifest["nodes"].items() if n["resource_type"] == "model"}
    tested = grain_tests(parsed_manifest)
    assert len(models) >= 40
    missing = sorted(f"{n['name']} ({n['original_file_path']})" for uid, n in models.items() if uid not in tested)
    assert missing == [], "models without a unique / unique_combination test on their grain: " + ", ".join(missing)


def test_every_seed_has_a_uniqueness_test_on_its_grain(parsed_manifest):
    seeds = {uid: n for uid, n in parsed_manifest["nodes"].items() if n["resource_type"] == "seed"}
    tested = grain_tests(parsed_manifest)
    assert len(seeds) >= 9
    missing = sorted(n["name"] for uid, n in seeds.items() if uid not in tested)
    assert missing == [], "seeds without a unique / unique_combination test on their grain: " + ", ".join(missing)


def test_a_warning_or_filtered_uniqueness_test_does_not_count():
    """The rule's own reading of the manifest: a test that cannot fail the build is not a grain test."""
    def test(uid: str, severity: str = "ERROR", where: str | None = None, name: str = "unique") -> dict:
        kwargs = {"column_name": "id"} if name == "unique" else {"columns": ["a", "b"]}
        return {"resource_type": "test", "attached_node": uid, "config": {"severity": severity, "where": where},
                "test_metadata": {"name": name, "kwargs": kwargs}}
    manifest = {"nodes": {
        "t1": test("model.p.enforced"), "t2": test("model.p.combined", name="unique_combination"),
        "t3": test("model.p.warned", severity="warn"), "t4": test("model.p.filtered", where="id > 0"),
        "t5": test("model.p.other", name="not_null")}}
    assert sorted(grain_tests(manifest)) == ["model.p.combined", "model.p.enforced"]
    assert grain_tests(manifest)["model.p.combined"] == [{"test": "unique_combination", "key": ["a", "b"]}]
