"""Stand-ins for the providers sendflow talks to, reached through their real network seams."""
