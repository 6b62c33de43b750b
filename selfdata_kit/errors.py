"""The errors selfdata_kit raises on purpose.

One root, `SelfdataError`, so the CLI can show every expected failure as a short message
(file, line, what was expected, a hint) and keep tracebacks for real bugs. Messages never
quote the personal content of a row: they say which line and what was expected there.
"""

from __future__ import annotations


class SelfdataError(Exception):
    """An expected failure with a message fit for the user."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def __reduce__(self):  # keep file, line and hint across processes (cohort import)
        return (_rebuild, (type(self), self.message, self.file, self.line, self.hint))

    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}, line {self.line}"
        return self.file or ""

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def _rebuild(cls: type[SelfdataError], message: str, file: str | None, line: int | None,
             hint: str | None) -> SelfdataError:
    return cls(message, file=file, line=line, hint=hint)


class FormatError(SelfdataError):
    """A file that cannot be read as the format it claims (or any format)."""


class UnknownFormatError(FormatError):
    """No registered source recognises the file."""


class AmbiguousFormatError(FormatError):
    """Two registered sources claim the same file."""


class UnsafeInputError(FormatError):
    """Input refused for safety: XML entities, zip bombs, oversized members."""


class RejectedRowsError(FormatError):
    """Some rows could not be read and the import was asked to be strict."""


class StoreError(SelfdataError):
    """The store cannot be opened, migrated or written."""


class StoreUnusableError(StoreError):
    """The store file itself cannot be used: damaged, locked by another program, not
    writable, or its disk is full. Every file would fail the same way, so an import stops."""
