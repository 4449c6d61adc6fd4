-- Runs once, when the replica's data directory is created: follow the
-- primary by GTID auto-positioning from its first transaction, so the users
-- and the database created there arrive here too. Then make the replica
-- super_read_only for good (persisted across restarts); replication still
-- applies.
CHANGE REPLICATION SOURCE TO
	SOURCE_HOST = 'mysql-primary',
	SOURCE_PORT = 3306,
	SOURCE_USER = 'repl',
	SOURCE_PASSWORD = 'repl',
	SOURCE_AUTO_POSITION = 1,
	GET_SOURCE_PUBLIC_KEY = 1,
	SOURCE_CONNECT_RETRY = 5;
START REPLICA;
SET PERSIST read_only = ON;
SET PERSIST super_read_only = ON;
