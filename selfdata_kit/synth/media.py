"""What the persona listens to, watches and chats about: Spotify plays, Netflix viewings,
YouTube videos and WhatsApp messages, all inside the hours they are awake.

Awake hours follow the persona's habits, as in `days.plan`: early birds get up at 6:30 and go to
bed at 22:00, night owls get up at 9:00 and sleep at 1:30, the others 7:15 to 23:15. Nothing is
played, watched or written outside them. Music lovers listen more; a persona whose bank pays
NETFLIX has a Netflix history (cinephiles binge more); everybody watches a little YouTube and
chats on WhatsApp with their three favourite contacts (and with the family group when they
have family in their contacts). All names are fiction.

A separate random stream (3) per persona: adding media moved nothing in the other exports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import days_in, local_to_epoch
from .persona import Persona, persona_rng
from .world import FIRST_NAMES, RELATIONS

ARTISTS = ("Les Lunes Rousses", "Nadia Sol", "Kilomètre Zéro", "Orage d'Été", "Maël Dubreuil",
           "Les Frères Lumière Noire", "Ana Corbeau", "Saint-Lazare Club", "Lila Mer",
           "Basile & les Heures Creuses", "Zéphyr", "Mona Pixel", "Les Déménageurs",
           "Jeanne Ventoux", "Vieux Port Sound", "Capucine Mars")
WORDS = ("Nuit", "Soleil", "Encore", "Marseille", "Demain", "Lumière", "Vertige", "Boussole",
         "Océan", "Minuit", "Béton", "Cerises", "Toujours", "Ailleurs", "Printemps", "Néon")
PODCASTS = ("Les Voix du Quartier", "Sciences en Vrac", "Histoires Vraies de Province",
            "Le Quart d'Heure Éco")
SERIES = ("Les Voisins du Troisième", "Brigade Sud", "L'Algorithme", "Dernière Station",
          "Les Héritiers de Lorient", "Haute Tension")
FILMS = ("Le Dernier Été", "Rue des Tilleuls", "Une Semaine à Brest", "Le Silence des Dunes",
         "Quai Numéro 9", "La Belle Saison des Pommes")
CHANNELS = ("Cuisine Facile", "Bricolage Malin", "Science Étonnante Jr", "Le Vélo du Dimanche",
            "Tuto Jardin", "Actus en 5 Minutes", "Jeux Vidéo Rétro")
VIDEOS = ("Comment réussir une pâte à crêpes", "Réparer une fuite sous l'évier",
          "Pourquoi le ciel est bleu", "Tour de la Camargue à vélo", "Tailler ses tomates",
          "Le résumé de la semaine", "Tester une console de 1990", "Recette du clafoutis")
SKIP_SECONDS = 30  # a play under 30 s is skipped (data/media_thresholds.toml)
CHAT_GAP_HOURS = 6  # a conversation starts after 6 h of silence (data/calls_thresholds.toml)


@dataclass(frozen=True)
class Awake:
    wake: float  # local hour
    bed: float   # local hour, past 24 when after midnight


@dataclass(frozen=True)
class Plays:
    """Spotify: one entry per play."""
    end_s: np.ndarray      # epoch seconds (UTC) when the play ended
    ms: np.ndarray         # ms played
    artist: tuple[str, ...]
    title: tuple[str, ...]
    podcast: np.ndarray    # bool


@dataclass(frozen=True)
class Viewings:
    """Netflix (or YouTube, with duration 0): one entry per viewing."""
    start_s: np.ndarray
    seconds: np.ndarray
    title: tuple[str, ...]
    creator: tuple[str, ...]   # series or channel; "" for a film


@dataclass(frozen=True)
class Chat:
    name: str                  # the chat's name: the contact, or the group
    members: tuple[str, ...]   # other members, as saved in the phone
    local_min: np.ndarray      # minutes since 1 Jan 00:00 local time, sorted
    sender: np.ndarray         # -1 = the persona, else index into members


@dataclass(frozen=True)
class Media:
    me: str
    awake: Awake
    spotify: Plays
    netflix: Viewings | None
    youtube: Viewings
    chats: tuple[Chat, ...]


def awake(p: Persona) -> Awake:
    if p.has("early_bird"):
        return Awake(6.5, 22.0)
    if p.has("night_owl"):
        return Awake(9.0, 25.5)
    return Awake(7.25, 23.25)


def _epoch(p: Persona, hours: np.ndarray) -> np.ndarray:
    """Local hours since 1 January 00:00 -> epoch seconds."""
    base = np.datetime64(f"{p.year}-01-01T00:00:00", "s")
    return local_to_epoch(base + np.round(hours * 3600).astype(np.int64).astype("timedelta64[s]"))


def _inside(a: Awake, day: int, start: float, length_h: float) -> bool:
    return 24 * day + a.wake + 0.5 <= start and start + length_h <= 24 * day + a.bed - 0.1


def simulate_media(p: Persona) -> Media:
    rng = persona_rng(p.seed, p.index, 3)
    r_me, r_music, r_tv, r_yt, r_chat = rng.spawn(5)
    a = awake(p)
    me = str(r_me.choice([f for f in FIRST_NAMES if f not in {c.name for c in p.contacts}]))
    netflix = any(s.counterparty == "NETFLIX" for s in p.subscriptions)
    return Media(me, a, _spotify(p, a, r_music), _netflix(p, a, r_tv) if netflix else None,
                 _youtube(p, a, r_yt), _chats(p, a, r_chat))


def _zipf(rng: np.random.Generator, n: int, s: float = 1.1) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return rng.permutation(w / w.sum())


def _spotify(p: Persona, a: Awake, rng: np.random.Generator) -> Plays:
    artists = [str(x) for x in rng.choice(ARTISTS, 10, replace=False)]
    weights = np.sort(_zipf(rng, len(artists), 1.3))[::-1]  # artists[0] is the favourite
    tracks = {art: [f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()}" for _ in range(8)]
              for art in artists}
    per_day = 1.6 if p.has("music_lover") else 0.6
    podcast = p.archetype in ("retiree_electric", "family_gas") or p.has("reader")
    end_s, ms, who, title, is_pod = [], [], [], [], []
    for day in range(days_in(p.year)):
        for _ in range(int(rng.poisson(per_day))):
            hour = 24 * day + float(rng.uniform(a.wake + 0.5, a.bed - 1.0))
            if podcast and rng.random() < 0.2:
                secs = int(rng.integers(900, 2700))
                if _inside(a, day, hour, secs / 3600):
                    show = PODCASTS[int(rng.integers(len(PODCASTS)))]
                    hour += secs / 3600
                    end_s.append(hour), ms.append(secs * 1000), who.append(show)
                    title.append(f"Épisode {int(rng.integers(1, 120))}"), is_pod.append(True)
                continue
            k = int(rng.integers(3, 12))  # a session of k tracks, drawn at once
            who_k = rng.choice(len(artists), k, p=weights)
            length = rng.integers(150, 290, k)
            played = np.where(rng.random(k) < 0.12, rng.integers(3, SKIP_SECONDS - 1, k), length)
            extra_ms = rng.integers(0, 1000, k)
            song = rng.integers(0, 8, k)
            for j in range(k):
                if not _inside(a, day, hour, int(played[j]) / 3600):
                    break
                art = artists[int(who_k[j])]
                hour += int(played[j]) / 3600
                end_s.append(hour), ms.append(int(played[j]) * 1000 + int(extra_ms[j]))
                who.append(art), title.append(tracks[art][int(song[j])]), is_pod.append(False)
    ends = _epoch(p, np.array(end_s)) if end_s else np.zeros(0, dtype=np.int64)
    return Plays(ends, np.array(ms, dtype=np.int64), tuple(who), tuple(title),
                 np.array(is_pod, dtype=bool))


def _netflix(p: Persona, a: Awake, rng: np.random.Generator) -> Viewings:
    binge = 0.3 if p.has("cinephile") else 0.12
    evening = 0.45 if p.has("cinephile") else 0.25
    episode = {s: 0 for s in SERIES}
    start, secs, title, creator = [], [], [], []
    for day in range(days_in(p.year)):
        if rng.random() >= evening:
            continue
        hour = 24 * day + float(rng.uniform(20.3, 21.3))
        if rng.random() < 0.2:
            n, series = 1, ""
        else:
            series = SERIES[int(rng.choice(len(SERIES), p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05]))]
            n = int(rng.integers(3, 6)) if rng.random() < binge else int(rng.integers(1, 3))
        for _ in range(n):
            length = int(rng.integers(5400, 7200)) if not series else int(rng.integers(1500, 3300))
            if not _inside(a, day, hour, length / 3600):
                break
            if series:
                k = episode[series] = episode[series] + 1
                title.append(f"{series} : Saison {1 + (k - 1) // 10} : Épisode {1 + (k - 1) % 10}")
            else:
                title.append(FILMS[int(rng.integers(len(FILMS)))])
            start.append(hour), secs.append(length), creator.append(series)
            hour += length / 3600 + float(rng.uniform(0.01, 0.05))
    starts = _epoch(p, np.array(start)) if start else np.zeros(0, dtype=np.int64)
    return Viewings(starts, np.array(secs, dtype=np.int64), tuple(title), tuple(creator))


def _youtube(p: Persona, a: Awake, rng: np.random.Generator) -> Viewings:
    per_day = 1.2 if p.household_size > 2 else 0.7
    hours = []
    for day in range(days_in(p.year)):
        for _ in range(int(rng.poisson(per_day))):
            hours.append(24 * day + float(rng.uniform(a.wake + 0.5, a.bed - 0.3)))
    hours.sort()
    n = len(hours)
    pick = rng.integers(0, len(VIDEOS), n)
    titles = tuple(VIDEOS[i] for i in pick.tolist())
    creators = tuple(CHANNELS[i % len(CHANNELS)] for i in pick.tolist())
    return Viewings(_epoch(p, np.array(hours)), np.zeros(n, dtype=np.int64), titles, creators)


def _chats(p: Persona, a: Awake, rng: np.random.Generator) -> tuple[Chat, ...]:
    top = [c.name for c in sorted(p.contacts, key=lambda c: -c.weight)
           if not c.name.startswith("Cabinet")][:3]
    chats = [(name, (name,), 0.55 - 0.12 * i) for i, name in enumerate(top)]
    family = [c.name for c in p.contacts if c.name in RELATIONS and not c.name.startswith("Cab")]
    if len(family) >= 2:
        chats.append(("Famille", tuple(family), 0.3))
    out = []
    for name, members, per_day in chats:
        minutes, sender = [], []
        for day in range(days_in(p.year)):
            for _ in range(int(rng.poisson(per_day))):
                t = 24 * day + float(rng.uniform(a.wake + 0.5, a.bed - 0.6))
                who = -1 if rng.random() < 0.45 else int(rng.integers(len(members)))
                for _ in range(int(rng.integers(2, 9))):
                    if t >= 24 * day + a.bed - 0.05:
                        break
                    minutes.append(int(t * 60)), sender.append(who)
                    t += float(rng.uniform(0.01, 0.12))
                    who = -1 if who >= 0 and rng.random() < 0.7 else (
                        int(rng.integers(len(members))) if rng.random() < 0.7 else who)
        order = np.argsort(minutes, kind="stable")
        out.append(Chat(name, members, np.array(minutes, dtype=np.int64)[order],
                        np.array(sender, dtype=np.int64)[order]))
    return tuple(out)
