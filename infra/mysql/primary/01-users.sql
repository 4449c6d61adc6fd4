-- Runs once, when the primary's data directory is created (the image's
-- /docker-entrypoint-initdb.d). The classmate user and database come from
-- MYSQL_USER / MYSQL_DATABASE. Everything here is binlogged, so the replica
-- gets the same users through replication.

-- The indexer reads the binlog as classmate.
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'classmate'@'%';

-- The replica's replication user.
CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'repl';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';

-- mysqld_exporter.
CREATE USER IF NOT EXISTS 'exporter'@'%' IDENTIFIED BY 'exporter' WITH MAX_USER_CONNECTIONS 3;
GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'exporter'@'%';
