/**
 * multifd memory migration.
 */
module migration {
    requires io.channel;
}
