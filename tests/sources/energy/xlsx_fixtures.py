"""GRDF and Enedis spreadsheet exports (.xlsx) built with openpyxl, imitating the customer
sites' downloads: a title block above the header, dates written as text, numbers as numbers
(or text with a decimal comma), and the quirks each export has. Written into a folder by
`write_all(folder)`; tests/sources/energy/test_xlsx.py holds their expected rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

PCE = "21098765432109"
PRM = "25946599093143"


def _save(path: Path, title: str, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def grdf_daily(path: Path) -> Path:
    """'Données informatives de consommation', one gas day per row (dates as text), the last
    Sunday of March (DST: a 23-hour gas day), a day whose energy is missing, numbers as
    numbers or as text with a decimal comma, a note row after the table."""
    return _save(path, "Historique par jour", [
        ["Mes consommations de gaz - Données informatives"],
        [],
        ["Point de comptage et d'estimation (PCE)", PCE],
        ["Période", "Du 29/03/2024 au 01/04/2024"],
        ["Date de l'export", "02/04/2024"],
        [],
        ["Journée gazière", "Index de début (m3)", "Index de fin (m3)",
         "Volume consommé (m3)", "Coefficient de conversion", "Energie consommée (kWh)",
         "Qualification", "Température locale (°C)"],
        ["29/03/2024", 8700, 8707, 7, 11.24, 79, "Mesuré", 9.5],
        ["30/03/2024", 8707, 8713, 6, 11.24, 67, "Mesuré", 11],
        ["31/03/2024", 8713, 8718, 5, "11,24", "56,2", "Mesuré", 12],
        ["01/04/2024", 8718, 8722, 4, 11.24, None, "Absence de données", None],
        [],
        ["Les données informatives ne sont pas des données de facturation."],
    ])


def grdf_published(path: Path) -> Path:
    """'Données publiées': billing periods between two meter reads, real date cells."""
    return _save(path, "Historique par période", [
        ["Mes consommations de gaz - Données publiées"],
        [f"PCE : {PCE}"],
        [],
        ["Date de début", "Date de fin", "Index de début (m3)", "Index de fin (m3)",
         "Volume consommé (m3)", "Coefficient de conversion", "Energie consommée (kWh)",
         "Type de relevé", "Qualification"],
        [datetime(2024, 1, 3), datetime(2024, 3, 4), 8100, 8420, 320, 11.3, 3616,
         "Publiée", "Mesuré"],
        [datetime(2024, 3, 4), datetime(2024, 5, 2), 8420, 8631, 211, 11.26, 2376,
         "Publiée", "Estimé"],
    ])


def enedis_daily(path: Path) -> Path:
    """'Mes données de consommation' > daily consumption: a title row, the metadata pair,
    then Horodate | Valeur (Wh), days as text."""
    return _save(path, "Consommation quotidienne", [
        ["Mes données de consommation - Enedis"],
        [],
        ["Identifiant PRM", "Type de donnees", "Date de debut", "Date de fin",
         "Grandeur physique", "Grandeur metier", "Etape metier", "Unite"],
        [PRM, "Consommation quotidienne", "29/03/2024", "02/04/2024", "Energie active",
         "Consommation", "Comptage Brut", "Wh"],
        ["Horodate", "Valeur"],
        ["2024-03-29", 9000],
        ["2024-03-30", 9613],
        ["2024-03-31", 10839],  # 23 hours in Paris
        ["2024-04-01", None],  # a gap, not a zero
    ])


def enedis_load_curve(path: Path) -> Path:
    """Load curve: average W over the 30 minutes ENDING at each time, wall times as text."""
    return _save(path, "Courbe de charge", [
        ["Mes données de consommation - Enedis"],
        ["Identifiant PRM", "Type de donnees", "Date de debut", "Date de fin",
         "Grandeur physique", "Grandeur metier", "Etape metier", "Unite", "Pas en minutes"],
        [PRM, "Courbe de charge", "01/02/2024", "02/02/2024", "Energie active",
         "Consommation", "Comptage Brut", "W", 30],
        ["Horodate", "Valeur"],
        ["2024-02-01 00:30:00", 400],
        ["2024-02-01 01:00:00", 600],
        ["2024-02-01 01:30:00", 1000],
    ])


def other_spreadsheet(path: Path) -> Path:
    return _save(path, "Budget", [["Mois", "Courses"], [date(2024, 1, 1), 320.5]])


def write_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    makers = {"grdf_daily.xlsx": grdf_daily, "grdf_published.xlsx": grdf_published,
              "enedis_daily.xlsx": enedis_daily,
              "enedis_load_curve.xlsx": enedis_load_curve, "budget.xlsx": other_spreadsheet}
    return {name: make(folder / name) for name, make in makers.items()}
