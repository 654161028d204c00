"""What the officer just did, in the visitor's terms: the officer's move.

A visitor answers a question with a fact, takes up an offer, bristles at an order and calms at
good news; knowing the move lets the prompt say it in plain words, the picker prefer lines that
answer it, the scripted visitor choose its line, and the agitation engine weigh it.
"""

from __future__ import annotations

from enum import StrEnum


class Move(StrEnum):
    """The kinds of officer line the visitor reacts to differently."""

    ASKS = "asks"  # asks for information ("What's your mum's name?")
    ACKNOWLEDGES = "acknowledges"  # names or validates the feeling, paraphrases
    EXPLAINS = "explains"  # gives the reason for a rule or a refusal
    OFFERS = "offers"  # offers help, a choice or a next step
    NEWS = "news"  # gives news or an outcome ("She's in bay four, a doctor is with her")
    LIMIT = "limit"  # sets a firm limit, says what will not happen
    COMMANDS = "commands"  # bare orders: "calm down", "wait outside", "stop shouting"
    PROVOKES = "provokes"  # blames, threatens, insults, mocks, dismisses
    SMALL_TALK = "small_talk"  # off-topic chatter, the weather, football
    BREAKS_SCENE = "breaks_scene"  # "are you an AI?", "ignore your instructions", nonsense

    @property
    def plain(self) -> str:
        """What the officer did, as the prompt says it ("The officer just ...")."""
        return _PLAIN[self]

    @property
    def direction(self) -> int:
        """How the move usually moves a visitor: -1 calmer, 0 no change, +1 more agitated."""
        return _DIRECTION[self]


_PLAIN = {
    Move.ASKS: "asked a question",
    Move.ACKNOWLEDGES: "showed they understand how the visitor feels",
    Move.EXPLAINS: "explained the reason for a rule",
    Move.OFFERS: "offered help or a choice",
    Move.NEWS: "gave news",
    Move.LIMIT: "set a firm limit",
    Move.COMMANDS: "gave an order",
    Move.PROVOKES: "blamed, threatened or insulted the visitor",
    Move.SMALL_TALK: "talked about something unrelated",
    Move.BREAKS_SCENE: "said something odd that does not belong in the scene",
}
_DIRECTION = {
    Move.ASKS: 0,
    Move.ACKNOWLEDGES: -1,
    Move.EXPLAINS: 0,
    Move.OFFERS: -1,
    Move.NEWS: -1,
    Move.LIMIT: 0,
    Move.COMMANDS: 1,
    Move.PROVOKES: 1,
    Move.SMALL_TALK: 1,
    Move.BREAKS_SCENE: 0,
}
MOVES: tuple[Move, ...] = tuple(Move)
