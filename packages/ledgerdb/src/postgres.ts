// `@ledgerkit/ledgerdb/postgres`: the PostgreSQL storage driver (needs the optional peer `pg`).
export { type PostgresStorageOptions, postgresStorage } from './storage/postgres.js';
