/**
 * Integration tests across modules and processes. The main part holds only what child processes run.
 */
module tests {
    requires migration;
    requires io.channel;
}
