package io.github.wdstci.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JDK Flight Recorder events of the transport sessions. */
public final class SessionEvents {

    private SessionEvents() {
    }

    /** A session was started. */
    @Name("io.github.wdstci.SessionStart")
    @Label("WDS Session Start")
    @Category({"WDS Transport"})
    @Description("A WDS transport session was started")
    public static final class Start extends Event {
        @Label("Server") public String server;
        @Label("Namespace") public String namespace;
        @Label("Object") public String objectName;
    }

    /** A session completed successfully; its duration is the session's. */
    @Name("io.github.wdstci.SessionComplete")
    @Label("WDS Session Complete")
    @Category({"WDS Transport"})
    @Description("A WDS transport session received its object")
    public static final class Complete extends Event {
        @Label("Server") public String server;
        @Label("Namespace") public String namespace;
        @Label("Object") public String objectName;
        @Label("Bytes") @DataAmount public long bytes;
    }

    /** A session failed or was cancelled; its duration is the session's. */
    @Name("io.github.wdstci.SessionFailed")
    @Label("WDS Session Failed")
    @Category({"WDS Transport"})
    @Description("A WDS transport session failed or was cancelled")
    public static final class Failed extends Event {
        @Label("Server") public String server;
        @Label("Namespace") public String namespace;
        @Label("Object") public String objectName;
        @Label("Bytes") @DataAmount public long bytes;
        @Label("Win32 Code") public int code;
        @Label("Error") public String error;
        @Label("Cause") public String cause;
    }
}
