"""Domain errors. The library raises these; only the edges (CLI, UI) turn them
into friendly messages. Each message says what is wrong and what to do."""


class DossierError(Exception):
    """Base class for every error Dossier raises on purpose."""


class BadQuestion(DossierError, ValueError):
    """The question cannot be answered as given (empty, too long, binary...)."""


class CorpusError(DossierError):
    """The corpus folder is missing or holds no readable article."""


class IndexMissing(DossierError):
    """No index has been built at the given place."""


class IndexMismatch(DossierError):
    """The index exists but was built from other inputs or settings."""


class IndexCorrupt(DossierError):
    """Index files are missing, truncated or do not match the manifest."""


class GeneratorUnavailable(DossierError):
    """The generation model cannot be loaded."""


class GoldFormatError(DossierError):
    """A gold-question file is malformed (the message names the line)."""


class ScorerUnavailable(DossierError):
    """The fitted answer scorer is missing, malformed or fitted on other features."""


class JudgeUnavailable(DossierError):
    """The judge (RAG_JUDGE) cannot be loaded: its model or its fitted file."""


class SettingsError(DossierError, ValueError):
    """A setting (flag, `RAG_*` variable or Settings field) is out of range."""


class IndexWriteError(DossierError):
    """The index folder cannot be written (read-only, full disk, no permission).
    The previous index, if any, is left as it was."""
