import csv
from datetime import date

from metrics.demo.synthetic import Spec, default_profiles, write_files

CATALOGUE = [("cc-complaints", "phone"), ("app-chat", "messenger"), ("card-courier", "delivery")]


def read(path):
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_same_seed_same_files_and_the_stories_are_in_the_data(tmp_path):
    spec = Spec(customers=800, interactions=6_000, months=12, end=date(2026, 11, 1), seed=7)
    first = write_files(tmp_path / "a", spec, default_profiles(CATALOGUE))
    second = write_files(tmp_path / "b", spec, default_profiles(CATALOGUE))
    for kind in first:
        assert first[kind].read_bytes() == second[kind].read_bytes()

    from datetime import datetime

    rows = [r for r in read(first["interactions"]) if r["touchpoint"] == "cc-complaints" and r["resolved_at"]]
    days = [
        (datetime.fromisoformat(r["resolved_at"]) - datetime.fromisoformat(r["opened_at"])).total_seconds() / 86400
        for r in rows
    ]
    mean = sum(days) / len(days)
    within_5 = sum(d <= 5 for d in days) / len(days)
    assert mean < 5.5 and within_5 < 0.8  # the average looks acceptable, the 90 % target is far away
    assert {r["segment"] for r in read(first["customers"])} == {"retail", "business", "premium"}
    assert any(not r["resolved_at"] for r in read(first["interactions"]))
