"""Editor studio: projects, candidates, blind arena votes, ratings and edits, stored in SQLite or
PostgreSQL (:mod:`.store`, the only API the UI uses), ranked by Bradley-Terry (:mod:`.arena`) and
exported as ms-swift DPO/KTO/SFT rows (:mod:`.export`). Importing this package imports nothing heavy."""
