-- Runs once, when the replica's data directory is created: follow the
-- primary by GTID auto-positioning from its first transaction, so the users
-- and the database created there arrive here too. The replica is
-- super_read_only (see docker-compose.yml); replication still applies.
CHANGE REPLICATION SOURCE TO
	SOURCE_HOST = 'mysql-primary',
	SOURCE_PORT = 3306,
	SOURCE_USER = 'repl',
	SOURCE_PASSWORD = 'repl',
	SOURCE_AUTO_POSITION = 1,
	GET_SOURCE_PUBLIC_KEY = 1,
	SOURCE_CONNECT_RETRY = 5;
START REPLICA;
