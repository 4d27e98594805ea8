/**
 * Integration tests across modules and processes. The main part holds only what child processes run
 * ({@link tests.MigrationPeer}) and test memory ({@link tests.Memories}).
 */
module tests {
    requires migration;

    exports tests;
}
