"""How a practice starts and ends, whichever door it comes through: a slash command or a button.

/practice start, /practice drill, Try again and New visitor all open a thread the same way;
/practice end, the End button and a visitor who calms down or escalates all finish with the same
debrief, buttons and archived thread, so no path leaves the officer in a silent thread. A
"What if?" reopens the thread it plays on.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import discord

from bot.core.drills import plan_for
from bot.core.persona import Persona
from bot.core.practice import AlreadyPractising, NoActiveSession
from bot.core.session import Mode, PracticeSession
from bot.core.store.errors import StoreError
from bot.discord.access import officer_id
from bot.discord.delivery import ChannelGone, defer, post, respond
from bot.discord.limits import NO_PINGS
from bot.discord.practice._buttons import debrief_view, scene_view
from bot.discord.practice._debrief import debrief_message
from bot.discord.practice._render import debrief_embed, scene_embed
from bot.discord.practice._threads import discard_thread, open_practice_thread

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)


async def end_gone_session(bot: CooldownBot, session: PracticeSession) -> None:
    """Close a practice whose thread was deleted, so the officer can start another."""
    try:
        await bot.run_blocking(bot.room.end, session.officer_id)
    except NoActiveSession:
        return
    log.info("practice %s closed: its thread %s is gone", session.id, session.meta.get("thread_id"))


def conflict_note(persona: Persona, difficulty: int | None) -> str:
    """What to say when a named persona and a difficulty disagree (the persona wins)."""
    if difficulty is None or difficulty == persona.difficulty:
        return ""
    return (
        f"You picked {persona.short_name}, who is difficulty {persona.difficulty}, so "
        f"difficulty {difficulty} was not used. Leave the persona empty to get a random "
        f"visitor at difficulty {difficulty}."
    )


async def begin_practice(
    bot: CooldownBot,
    interaction: discord.Interaction,
    persona_id: str | None = None,
    difficulty: int | None = None,
) -> PracticeSession:
    """Open a thread, start the session and post the scene with its End and Hint buttons."""
    await defer(interaction)
    refuse_if_practising(bot, interaction)
    # Before any thread exists, so a wrong id or difficulty leaves nothing behind.
    chosen = bot.room.choose_persona(persona_id, None if persona_id else difficulty)
    return await open_session(
        bot,
        interaction,
        chosen,
        lambda officer, mode, meta: bot.room.start(officer, chosen.id, mode=mode, meta=meta),
        notes=[conflict_note(chosen, difficulty if persona_id else None)],
    )


async def begin_drill(
    bot: CooldownBot, interaction: discord.Interaction, skill: str | None = None
) -> PracticeSession:
    """A drill on the officer's weakest skill (or `skill`), opened the way a practice is."""
    await defer(interaction)
    refuse_if_practising(bot, interaction)
    me = officer_id(interaction.user)
    plan = await bot.run_blocking(plan_for, bot.store, bot.catalogue, me, skill)
    return await open_session(
        bot,
        interaction,
        plan.persona,
        lambda officer, mode, meta: bot.room.start_drill(officer, plan, mode, meta),
        intro=plan.describe(),
    )


def refuse_if_practising(bot: CooldownBot, interaction: discord.Interaction) -> None:
    """AlreadyPractising when the officer has a practice running."""
    current = bot.room.active(officer_id(interaction.user))
    if current is not None:
        raise AlreadyPractising(current)


async def open_session(
    bot: CooldownBot,
    interaction: discord.Interaction,
    persona: Persona,
    begin: Callable[[str, Mode, dict[str, str]], PracticeSession],
    *,
    intro: str = "",
    notes: Sequence[str] = (),
) -> PracticeSession:
    """Open the thread, start the session in it (`begin`: a practice or a drill) and set the
    scene there with End and Hint; `intro` is a drill's description."""
    officer = officer_id(interaction.user)
    mode = await bot.practice_mode(interaction.guild_id)
    thread, warning = await open_practice_thread(interaction, persona)
    meta = {
        "guild_id": str(interaction.guild_id),
        "channel_id": str(thread.parent_id),
        "thread_id": str(thread.id),
        "officer_name": interaction.user.display_name,
    }
    try:
        await bot.run_blocking(bot.store.ensure_officer, officer, interaction.user.display_name)
        session = await bot.run_blocking(begin, officer, mode, meta)
    except BaseException:
        await discard_thread(thread)
        raise
    kind = "drill" if intro else "practice"
    try:
        first = f"{kind.capitalize()} for {interaction.user.display_name}."
        scene = await post(
            thread,
            f"{first}\n{intro}" if intro else first,
            embeds=[scene_embed(session)],
            view=scene_view(session.id),
        )
        await bot.health.tell_thread(bot, session, thread)
        if scene is not None:  # catching up after a lost connection starts from here
            bot.turns.saw(session.id, scene.id)
    except ChannelGone:
        await end_gone_session(bot, session)
        raise
    if scene is not None:
        # Kept with the session (and stored with its next turn) so the End and Hint buttons
        # can be switched off when the practice ends, even after a restart.
        session.meta["scene_message_id"] = str(scene.id)
    lines = [f"Your {kind} with {persona.short_name} is ready in {thread.mention}."]
    lines += [n for n in (*notes, warning) if n]
    await respond(interaction, "\n".join(lines))
    return session


def another_persona(bot: CooldownBot, persona_id: str) -> str:
    """A different enabled visitor, at the same difficulty when there is one."""
    catalogue = bot.catalogue
    current = catalogue.find(persona_id)
    level = current.difficulty if current is not None else None
    same = [p for p in catalogue.at_difficulty(level) if p.id != persona_id]
    pool = same or [p for p in catalogue.at_difficulty(None) if p.id != persona_id]
    return random.choice(pool).id if pool else persona_id


async def end_practice(bot: CooldownBot, interaction: discord.Interaction) -> None:
    """End the officer's practice now: the debrief goes where they are (in the thread) or into
    the thread with a private link (anywhere else)."""
    officer = officer_id(interaction.user)
    session = bot.room.active(officer)
    if session is None:
        raise NoActiveSession()
    thread_id = int(session.meta.get("thread_id") or 0)
    in_thread = interaction.channel_id == thread_id
    await defer(interaction, ephemeral=not in_thread)
    note = None
    try:
        await bot.run_blocking(bot.room.end, officer)
    except StoreError as exc:
        # Ended all the same; the officer still gets the debrief of what was played.
        log.error("practice %s ended but could not be recorded: %s", session.id, exc)
        note = "Your practice ended, but the bot could not save its end (the error was logged)."
    try:
        embeds, files, view = await debrief_message(bot, session)
    except StoreError as exc:  # the extras (paths, notes, drills) need the store; the debrief not
        log.error("debrief extras for %s unavailable: %s", session.id, exc)
        debrief = await bot.run_blocking(bot.room.debrief, session)
        embeds, files = [debrief_embed(debrief)], []
        view = debrief_view(session, replies=bool(debrief.turns))
    if in_thread:
        await respond(
            interaction, note, embeds=embeds, files=files, view=view, ephemeral=False
        )
        await finish_thread(bot, session)
        return
    posted = None
    if thread_id:
        thread = bot.get_partial_messageable(thread_id, guild_id=interaction.guild_id)
        try:
            posted = await post(thread, embeds=embeds, files=files, view=view)
        except ChannelGone:
            log.info("practice %s ended; its thread %s was already gone", session.id, thread_id)
        else:
            await finish_thread(bot, session)
    if posted is None:  # no thread to put it in: the debrief comes here instead
        files = [] if thread_id else files  # a file is read once: spent on the failed post
        await respond(interaction, note, embeds=embeds, files=files, view=view)
        return
    # Once is enough: the debrief and its buttons are in the thread; here, where others may be
    # reading the channel, only a private pointer to it.
    summary = (embeds[0].description or "").split("\n")[0]
    pointer = f"Practice ended: {summary}\nYour debrief is in <#{thread_id}>: {posted.jump_url}"
    await respond(interaction, f"{note}\n{pointer}" if note else pointer)


async def post_debrief(
    bot: CooldownBot, session: PracticeSession, channel: discord.abc.Messageable
) -> discord.Message | None:
    """Post the debrief with its buttons in the practice's thread, then close the thread."""
    embeds, files, view = await debrief_message(bot, session)
    posted = await post(channel, embeds=embeds, files=files, view=view)
    await finish_thread(bot, session)
    return posted


async def finish_thread(bot: CooldownBot, session: PracticeSession) -> None:
    """Switch off the scene's buttons and archive (and, with Manage Threads, lock) the thread.

    Archiving is allowed to the thread's creator; locking needs Manage Threads, which the
    invite does not ask for, so a refused lock falls back to archiving alone.
    """
    bot.health.forget(session)  # a finished practice needs no more visitor-problem notes
    thread_id = int(session.meta.get("thread_id") or 0)
    scene_id = int(session.meta.get("scene_message_id") or 0)
    if not thread_id:
        return
    bot.finished_threads[thread_id] = session.officer_id
    if scene_id:
        scene = bot.get_partial_messageable(thread_id).get_partial_message(scene_id)
        try:
            await scene.edit(view=None, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.debug("scene buttons of %s left on: %s", session.id, exc)
    await _set_thread(bot, thread_id, True, "Cooldown practice finished", "left open")


async def reopen_thread(bot: CooldownBot, thread_id: int) -> None:
    """Unarchive (and unlock) a finished practice's thread for a What if? that plays on there,
    so the officer can answer in it again; without Manage Threads a lock stays, and the bot
    says so in the log (unlocked threads reopen with the first message anyway)."""
    bot.finished_threads.pop(thread_id, None)
    await _set_thread(bot, thread_id, False, "Cooldown what-if plays on", "not reopened")


async def _set_thread(
    bot: CooldownBot, thread_id: int, closed: bool, reason: str, otherwise: str
) -> None:
    """Archive and lock a thread (closed) or undo both; the lock needs Manage Threads, so a
    refused lock falls back to the archive flag alone."""
    try:
        await bot.http.edit_channel(thread_id, archived=closed, locked=closed, reason=reason)
    except discord.Forbidden:
        try:
            await bot.http.edit_channel(thread_id, archived=closed, reason=reason)
        except discord.HTTPException as exc:
            log.info("practice thread %s %s: %s", thread_id, otherwise, exc)
    except discord.HTTPException as exc:
        log.info("practice thread %s %s: %s", thread_id, otherwise, exc)
