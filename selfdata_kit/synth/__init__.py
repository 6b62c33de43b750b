"""Synthetic personas: coherent, fictional exports in real formats, with their own truth.

    from . import generate
    generate(3, seed=7, out=Path("personas"), year=2024)

See `persona` (who), `simulate` (their year), the `write_*` modules (the real formats) and
`truth` (what the files contain).
"""

from .cohort import generate, write_persona
from .persona import Persona, make_persona, make_personas
from .simulate import Simulation, simulate

__all__ = ["Persona", "Simulation", "generate", "make_persona", "make_personas", "simulate",
           "write_persona"]
