"""The same Enedis intervals exported as a customer-site CSV and through Data Connect are
stored once: both sources key a reading by meter and interval."""

from __future__ import annotations

import json

from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources.base import InputFile

PRM = "14295812345678"
CSV = (
    "\ufeffIdentifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;"
    "Grandeur metier;Etape metier;Unite;Pas en minutes\n"
    f"{PRM};Courbe de charge;01/02/2024;02/02/2024;Energie active;Consommation;"
    "Comptage Brut;W;30\n"
    "Horodate;Valeur\n"
    "2024-02-01T00:30:00+01:00;400\n"
    "2024-02-01T01:00:00+01:00;600\n"
)
DATACONNECT = {"meter_reading": {
    "usage_point_id": PRM, "start": "2024-02-01", "end": "2024-02-02", "quality": "BRUT",
    "reading_type": {"unit": "W", "measurement_kind": "power", "aggregate": "average"},
    "interval_reading": [
        {"value": "600", "date": "2024-02-01 01:00:00", "interval_length": "PT30M"},
        {"value": "500", "date": "2024-02-01 01:30:00", "interval_length": "PT30M"},
    ]}}


def test_csv_and_data_connect_share_interval_keys(store) -> None:
    csv = import_file(store, InputFile.from_bytes("conso.csv", CSV.encode()), "me")
    dc = import_file(store, InputFile.from_bytes(
        "dataconnect.json", json.dumps(DATACONNECT).encode()), "me")
    assert (csv.source.name, dc.source.name) == ("enedis-load-curve", "enedis-dataconnect")
    assert (csv.counts.rows_inserted, dc.counts.rows_inserted, dc.counts.rows_duplicate) == (
        2, 1, 1)
    rows = store.run("SELECT strftime(end_at, '%H:%M'), kwh FROM energy ORDER BY end_at")
    assert rows == [("23:30", 0.2), ("00:00", 0.3), ("00:30", 0.25)]
