"""The Discord adapter: a bot whose cogs turn slash commands and thread messages into practice."""
