"""The local transformers visitor: model loading, the fast Gemma-3 runner and the model worker."""

from bot.model.local.visitor import LocalVisitor

__all__ = ["LocalVisitor"]
