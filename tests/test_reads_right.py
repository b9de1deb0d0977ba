"""Issue 21: pages that read right everywhere (the contract's v3 reading rules), checked on built output."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import MakeSite, run_cli


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node: object) -> str:
    return " ".join(node.get_text(" ").split()) if node is not None else ""  # type: ignore[attr-defined]


def built(make_site: MakeSite, tmp_path: Path, files: dict[str, str]) -> Path:
    site = make_site(files)
    out = tmp_path / "out"
    done = run_cli("build", str(site), "-o", str(out), "--quiet", "--strict")
    assert done.code == 0, done.err
    return out


# ---- events take a time of day --------------------------------------------------------------------

SAME_DAY = {  # 24 June 2023 as the trial site had it: sorted by title, it read evening, morning, night
    "seizure": ("Wagner seizes the Rostov headquarters", "2023-06-24T07:30+03:00"),
    "address": ("Putin's address to the nation", "2023-06-24T10:00+03:00"),
    "deal": ("A deal ends the march", "2023-06-24T20:30+03:00"),
    "day": ("Rostov wakes to armoured vehicles", "2023-06-24"),
    "early": ("Statement from Minsk", "2023-06-24T05:00Z"),  # 08:00 in Moscow: after the seizure
    "tie": ("A tie broken by title", "2023-06-24T04:30Z"),  # the seizure's instant, written apart
}


def test_events_take_a_time_of_day_and_the_timeline_orders_the_day_by_instants(make_site: MakeSite,
                                                                               tmp_path: Path) -> None:
    events = "".join(f"- {{id: {k}, title: \"{t}\", date: \"{d}\"}}\n" for k, (t, d) in SAME_DAY.items())
    out = built(make_site, tmp_path, {"content/events/june.yaml": events})

    def key(k: str) -> tuple[bool, datetime, str, str]:  # the contract's rule, by datetime, apart from the code
        written = SAME_DAY[k][1]
        return "T" in written, datetime.fromisoformat(written if "T" in written else written + "T00:00Z"), \
            SAME_DAY[k][0], k
    expected = [SAME_DAY[k][0] for k in sorted(SAME_DAY, key=key)]
    assert expected[:3] == ["Rostov wakes to armoured vehicles", "A tie broken by title",
                            "Wagner seizes the Rostov headquarters"]
    page = soup(out / "timeline/index.html")
    assert [text(e.h3) for e in page.select("li.event")] == expected
    seizure = page.find(id="seizure")
    when = seizure.find("time")
    assert (text(when), when["datetime"]) == ("24 June 2023, 07:30 UTC+03:00", "2023-06-24T07:30+03:00")


def test_an_event_time_needs_its_offset_and_an_end_before_its_start_is_told(make_site: MakeSite) -> None:
    site = make_site({"content/events/e.yaml": "- id: a\n  title: A\n  date: 2023-06-24T07:30\n"
                      "- id: b\n  title: B\n  date: 2023-06-24T07:30+03:00\n  end: 2023-06-24T06:00+03:00\n"
                      "- id: c\n  title: C\n  date: 2023-06-24T07:30+03:00\n  end: 2023-06-24\n"})
    done = run_cli("check", str(site))
    assert done.problems == [
        ("content/events/e.yaml:3:9: error: 'date': a time of day needs its UTC offset, so that readers anywhere "
         "know when it was: write 2023-06-24T07:30+03:00 (three hours ahead of UTC, as in Moscow) or "
         "2023-06-24T07:30Z (UTC)"),
        ("content/events/e.yaml:7:8: error: 'end' (2023-06-24T06:00+03:00) is before 'date' "
         "(2023-06-24T07:30+03:00)")]
