"""The files each registered source is fuzzed from: real-format fixtures of its own tests.

A source added to the registry without an entry here makes tests/fuzz fail: add one or two
of its fixtures (small ones: every mutation is parsed and imported).
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from tests.conftest import TESTS

_S = TESTS / "sources"

SEEDS = {
    "ofx": ("bank/fixtures/ofx1_two_accounts.ofx", "bank/fixtures/ofx2_xml_cdata.ofx",
            "bank/fixtures/ofx1_unclosed_sgml.ofx"),
    "qif": ("bank/fixtures/qif_fr_dayfirst_cp1252.qif",
            "bank/fixtures/qif_us_quicken_accounts.qif"),
    "camt": ("bank/fixtures/camt053_v08_batch.xml", "bank/fixtures/camt054_v04_notification.xml"),
    "mt940": ("bank/fixtures/mt940_swift_blocks.sta", "bank/fixtures/mt940_german_gvc.sta"),
    "revolut-csv": ("bank/fixtures/revolut_statement.csv",),
    "n26-csv": ("bank/fixtures/n26_2023.csv", "bank/fixtures/n26_legacy.csv"),
    "fr-bank-csv": ("bank/fixtures/fr_ce.csv", "bank/fixtures/fr_multi.csv",
                    "bank/fixtures/fr_boursorama.csv"),
    "android-backup": ("calls/fixtures/android_calls.xml", "calls/fixtures/android_sms.xml"),
    "google-voice": (
        "calls/fixtures/voice/Voice/Calls/+33612345678 - Received - 2021-01-03T10_00_00Z.html",
        "calls/fixtures/voice/Voice/Calls/+33639984567 - Text - 2021-01-07T12_00_00Z.html"),
    "enedis-load-curve": ("energy/fixtures/enedis_load_curve_dst.csv",),
    "enedis-daily": ("energy/fixtures/enedis_daily_wh.csv", "energy/fixtures/enedis_daily_prm.csv"),
    "enedis-index": ("energy/fixtures/enedis_index.csv",),
    "enedis-dataconnect": ("energy/fixtures/enedis_dc_daily_spring.json",
                           "energy/fixtures/enedis_dc_curve_steps.json"),
    "grdf": ("energy/fixtures/grdf_published.json", "energy/fixtures/grdf_daily_dst.json"),
    "green-button": ("energy/fixtures/greenbutton_prefixed.xml",
                     "energy/fixtures/greenbutton_gas_therms.xml"),
    "google-location-records": ("places/fixtures/Records.json",
                                "places/fixtures/Location History.json"),
    "google-semantic-history": (
        "places/fixtures/Semantic Location History/2023/2023_DECEMBER.json",),
    "google-timeline": ("places/fixtures/Timeline.json", "places/fixtures/location-history.json"),
    "whatsapp": ("chat/fixtures/WhatsApp Chat with Alice Martin.txt", "chat/fixtures/_chat.txt"),
    "spotify-account": ("media/fixtures/StreamingHistory0.json",
                        "media/fixtures/StreamingHistory_podcast_0.json"),
    "spotify-extended": ("media/fixtures/Streaming_History_Audio_2023-2024_0.json",),
    "netflix-activity": ("media/fixtures/ViewingActivity.csv",),
    "netflix-titles": ("media/fixtures/NetflixViewingHistory_fr.csv",),
    "youtube-history": ("media/fixtures/watch-history.json", "media/fixtures/MyActivity_fr.json"),
    # spreadsheets are built by openpyxl at test time (xlsx_fixtures.py), not committed
    "energy-xlsx": ("generated:grdf_daily.xlsx", "generated:enedis_daily.xlsx"),
}


@cache
def _generated() -> dict[str, Path]:
    from tests.sources.energy.xlsx_fixtures import write_all

    return write_all(Path(tempfile.mkdtemp(prefix="selfdata-fuzz-")))


def seed_paths(source: str) -> list[Path]:
    return [_generated()[p.removeprefix("generated:")] if p.startswith("generated:") else _S / p
            for p in SEEDS[source]]
