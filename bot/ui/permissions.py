"""Who is a teacher: the configured role, or the Manage Server permission.

Commands for teachers are hidden from students with ``default_permissions``
(Discord's side, which a server admin can change) and checked again here at
run time, so a student who sees one anyway is still refused.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import UserError


def is_teacher(interaction: discord.Interaction[Any], role_name: str) -> bool:
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    member = interaction.user
    return isinstance(member, discord.Member) and any(role.name == role_name for role in member.roles)


def require_teacher(interaction: discord.Interaction[Any], role_name: str) -> None:
    """Refuse (with the translated "not allowed") anyone who is not a teacher."""
    if not is_teacher(interaction, role_name):
        raise UserError("error.not_allowed")
