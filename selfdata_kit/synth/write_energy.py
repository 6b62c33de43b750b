"""Energy exports as the French network operators write them.

- Electricity: the Enedis customer-site load curve CSV ("Courbe de charge"): UTF-8 with BOM, a
  metadata header line and its values (14-digit PRM, dates dd/mm/yyyy, unit W, step 30), then
  `Horodate;Valeur`: each row is the average power in W over the 30 minutes that END at the
  timestamp, written in local time with its offset (`2024-01-01T00:30:00+01:00`); the first row
  of the year ends at 00:30 on 1 January, the last at 00:00 on 1 January of the next year.
- Gas: the GRDF customer-site JSON of daily "informative" readings, keyed by the 14-digit PCE,
  4-space indented with sorted keys and ASCII escapes, as GRDF's API returns it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from .clock import grid
from .energy import Gas
from .persona import Persona

ENEDIS_HEADER = ("Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;"
                 "Grandeur metier;Etape metier;Unite;Pas en minutes")


def write_enedis(p: Persona, watts: np.ndarray, folder: Path) -> Path:
    g = grid(p.year)
    first, last = dt.date(p.year, 1, 1), dt.date(p.year + 1, 1, 1)
    head = [ENEDIS_HEADER,
            f"{p.prm};Courbe de charge;{first:%d/%m/%Y};{last:%d/%m/%Y};Energie active;"
            "Consommation;Comptage Brut;W;30", "Horodate;Valeur"]
    body = [f"{t};{w}" for t, w in zip(g.end_text, watts.tolist(), strict=True)]
    path = folder / f"Enedis_Conso_Heure_{first:%Y%m%d}-{last:%Y%m%d}_{p.prm}.csv"
    path.write_bytes(("\ufeff" + "\n".join(head + body) + "\n").encode("utf-8"))
    return path


def write_grdf(p: Persona, gas: Gas, folder: Path) -> Path:
    first = dt.date(p.year, 1, 1)
    releves = []
    for i, (coeff, i0, i1, vol, kwh) in enumerate(zip(
            gas.coeff.tolist(), gas.index_start.tolist(), gas.index_end.tolist(),
            gas.volume.tolist(), gas.energy.tolist(), strict=True)):
        day = first + dt.timedelta(days=i)
        releves.append({
            "coeffConversion": coeff,
            # The gas day runs from 06:00 to 06:00; written as GRDF's API writes it.
            "dateDebutReleve": f"{day:%Y-%m-%d}T06:00:00+00:00",
            "dateFinReleve": f"{day + dt.timedelta(days=1):%Y-%m-%d}T06:00:00+00:00",
            "energieConsomme": kwh, "frequenceReleve": None, "indexDebut": i0,
            "indexFin": i1, "journeeGaziere": f"{day:%Y-%m-%d}",
            "natureReleve": "Informative Journalier", "pcs": None, "pta": None,
            "qualificationReleve": "Mesuré", "status": None, "temperature": None,
            "volumeBrutConsomme": vol, "volumeConverti": None})
    doc = {p.pce: {"frequence": None, "idPce": p.pce, "releves": releves}}
    path = folder / f"Donnees_informatives_{p.pce}_{first:%Y%m%d}_{p.year}1231.json"
    path.write_bytes(json.dumps(doc, indent=4, sort_keys=True).encode("ascii"))
    return path
