"""FollowTheMoney in and out: actors, ties and designations exported as FtM entities, and FtM files read
into content (`briefing import`). Imports nothing."""
