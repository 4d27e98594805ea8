package io.channel.linux;
public final class LinuxChannelProvider {}
