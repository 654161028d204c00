"""Reply preparation: cleaning, input checks (empty, huge, non-English, emoji or markup only)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 2000  # longer replies are scored on their first MAX_CHARS characters, flagged

_DISCORD_TAG = re.compile(r"<(?:@[!&]?|#|a?:\w+:|t:)\d*(?::\w)?>")
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.IGNORECASE)
_CODE_FENCE = re.compile(r"```[\w-]*|~~~")
_EMPHASIS = re.compile(r"\*\*|__|~~|\|\||`+")
_STRAY = re.compile(r"(?<!\w)[*_#>]+|[*_]+(?!\w)")
_HTML = re.compile(r"</?[a-zA-Z][^<>]{0,80}>")
_SPACES = re.compile(r"[ \t]+")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+|\n+")

# Common English function words, and those of languages officers most often switch to: text in
# Latin script is called non-English only when the foreign ones outnumber the English ones.
_ENGLISH = frozenset(
    """a about after again all am an and any are as at be because been before being but by can
    can't could did didn't do does don't down for from get go going got had has have he her here
    him his how i i'd i'll i'm i've if in into is isn't it it's just know let let's like me mine
    more my no not now of off ok okay on one or our out over please right see she so some sorry
    than thank thanks that that's the their them then there they this those to too up us very
    wait want was we we'll we're were what when where which who why will with won't would yes
    you you'll you're your yeah sir madam ma'am mate hi hello""".split()
)
_FOREIGN = frozenset(
    """el la los las del que y en por para usted ustedes señor señora puede es está pero con una
    un lo siento aquí favor le les des est et vous je pas nous c'est ne ce cette avec pour sur
    monsieur madame ici der die das und ist nicht sie ich ein eine mit auf bitte hier kann wir
    não você está obrigado senhor aqui il che non per sono della questo qui het een niet ik je
    jij wij bent zijn ook maar""".split()
)
EMOJI_RUDE = {"🖕": "insult", "🤡": "insult", "💩": "insult", "🙄": "sarcasm", "🥱": "sarcasm",
              "😂": "sarcasm", "🤣": "sarcasm", "😒": "sarcasm", "🤦": "sarcasm"}  # fmt: skip


@dataclass(frozen=True)
class PreparedReply:
    """A reply ready to score: cleaned text, its sentences, and input flags."""

    raw: str
    text: str  # cleaned; what patterns and the encoder see
    sentences: tuple[str, ...]
    flags: tuple[str, ...]

    @property
    def scorable(self) -> bool:
        """False when there are no English words to judge (empty, emoji, markup, other language)."""
        return not {"empty", "emoji_only", "markup_only", "non_english"} & set(self.flags)


def _is_emoji(ch: str) -> bool:
    if ch.isascii():
        return False
    return unicodedata.category(ch) in ("So", "Sk") or 0x1F000 <= ord(ch) <= 0x1FAFF


def strip_markup(text: str) -> str:
    """Text without Discord/markdown/HTML markup, tags, mentions and links."""
    text = _DISCORD_TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HTML.sub(" ", text)
    text = _CODE_FENCE.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _STRAY.sub("", text)
    return _SPACES.sub(" ", text).strip()


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences (and lines) of a reply, stripped, empties dropped."""
    return tuple(s.strip() for s in _SENTENCE.split(text) if s and s.strip())


def words(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept inside words)."""
    return [w.lower() for w in _WORD.findall(text.replace("’", "'"))]


def _non_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if ch.isascii() or "LATIN" in unicodedata.name(ch, ""))
    if latin / len(letters) < 0.5:
        return True
    tokens = words(text)
    foreign = sum(1 for w in tokens if w in _FOREIGN)
    english = sum(1 for w in tokens if w in _ENGLISH)
    return foreign >= 2 and foreign > english


def prepare(raw: str | None, max_chars: int = MAX_CHARS) -> PreparedReply:
    """Clean and check a reply; never raises, whatever the input."""
    raw = "" if raw is None else str(raw)
    flags: list[str] = []
    body = raw.replace("\r\n", "\n").replace("’", "'").replace("‘", "'")
    if len(body) > max_chars:
        body = body[:max_chars]
        flags.append("truncated")
    if not body.strip():
        return PreparedReply(raw, "", (), ("empty",))
    text = strip_markup(body)
    if not any(ch.isalnum() for ch in text):
        emoji = any(_is_emoji(ch) for ch in body)
        flags.append("emoji_only" if emoji else "markup_only")
        flags += sorted({kind for ch, kind in EMOJI_RUDE.items() if ch in body})
        return PreparedReply(raw, text, (), tuple(flags))
    if _non_english(text):
        flags.append("non_english")
    return PreparedReply(raw, text, split_sentences(text), tuple(flags))
