"""The tables as each worker holds them: one snapshot of communes, sites and stops, loaded together and
reloaded together when PostgreSQL notifies a change; the nearest searches and coverage both read it."""
