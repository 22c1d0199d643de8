package io.github.wdstci.internal.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.wdstci.Win32Error;

/**
 * Every constant of the API, as the stubs expose it, equals the contract's
 * value (section 5) and the value the C headers give: headers/wdstci.h with
 * gcc, and the Windows SDK declarations in mingw-w64 for the constants they
 * have (mingw-w64 lacks NEGOTIATE, NO_CACHE and the STATUS values, and counts
 * 5 callbacks, as the Vista-era header).
 */
class ConstantsTest {

    static Map<String, Integer> generated() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("WDS_TRANSPORTCLIENT_CURRENT_API_VERSION", wdstci_h.WDS_TRANSPORTCLIENT_CURRENT_API_VERSION());
        m.put("WDS_TRANSPORT_CLIENT_CURRENT_API_VERSION", wdstci_h.WDS_TRANSPORT_CLIENT_CURRENT_API_VERSION());
        m.put("WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST", wdstci_h.WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST());
        m.put("WDS_TRANSPORTCLIENT_AUTH", wdstci_h.WDS_TRANSPORTCLIENT_AUTH());
        m.put("WDS_TRANSPORTCLIENT_NO_AUTH", wdstci_h.WDS_TRANSPORTCLIENT_NO_AUTH());
        m.put("WDS_TRANSPORTCLIENT_NO_CACHE", wdstci_h.WDS_TRANSPORTCLIENT_NO_CACHE());
        m.put("WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS", wdstci_h.WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS());
        m.put("WDS_TRANSPORTCLIENT_STATUS_SUCCESS", wdstci_h.WDS_TRANSPORTCLIENT_STATUS_SUCCESS());
        m.put("WDS_TRANSPORTCLIENT_STATUS_FAILURE", wdstci_h.WDS_TRANSPORTCLIENT_STATUS_FAILURE());
        m.put("WDS_TRANSPORTCLIENT_SESSION_START", wdstci_h.WDS_TRANSPORTCLIENT_SESSION_START());
        m.put("WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS", wdstci_h.WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS());
        m.put("WDS_TRANSPORTCLIENT_SESSION_COMPLETE", wdstci_h.WDS_TRANSPORTCLIENT_SESSION_COMPLETE());
        m.put("WDS_TRANSPORTCLIENT_RECEIVE_METADATA", wdstci_h.WDS_TRANSPORTCLIENT_RECEIVE_METADATA());
        m.put("WDS_TRANSPORTCLIENT_SESSION_STARTEX", wdstci_h.WDS_TRANSPORTCLIENT_SESSION_STARTEX());
        m.put("WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE", wdstci_h.WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE());
        m.put("WDS_TRANSPORTCLIENT_MAX_CALLBACKS", wdstci_h.WDS_TRANSPORTCLIENT_MAX_CALLBACKS());
        return m;
    }

    static final Map<String, Integer> CONTRACT = Map.ofEntries(
            Map.entry("WDS_TRANSPORTCLIENT_CURRENT_API_VERSION", 1),
            Map.entry("WDS_TRANSPORT_CLIENT_CURRENT_API_VERSION", 1),
            Map.entry("WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST", 1),
            Map.entry("WDS_TRANSPORTCLIENT_AUTH", 1),
            Map.entry("WDS_TRANSPORTCLIENT_NO_AUTH", 2),
            Map.entry("WDS_TRANSPORTCLIENT_NO_CACHE", 0),
            Map.entry("WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS", 1),
            Map.entry("WDS_TRANSPORTCLIENT_STATUS_SUCCESS", 2),
            Map.entry("WDS_TRANSPORTCLIENT_STATUS_FAILURE", 3),
            Map.entry("WDS_TRANSPORTCLIENT_SESSION_START", 0),
            Map.entry("WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS", 1),
            Map.entry("WDS_TRANSPORTCLIENT_SESSION_COMPLETE", 2),
            Map.entry("WDS_TRANSPORTCLIENT_RECEIVE_METADATA", 3),
            Map.entry("WDS_TRANSPORTCLIENT_SESSION_STARTEX", 4),
            Map.entry("WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE", 5),
            Map.entry("WDS_TRANSPORTCLIENT_MAX_CALLBACKS", 6));

    @Test
    void stubsExposeTheContractsValues() {
        assertThat(generated()).containsExactlyInAnyOrderEntriesOf(CONTRACT);
    }

    static String probe(Map<String, Integer> constants) {
        return constants.entrySet().stream()
                .map(e -> "_Static_assert(" + e.getKey() + " == " + e.getValue() + ", \"" + e.getKey() + "\");")
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void projectHeaderHasTheStubsValues() throws Exception {
        CProbe.Result r = CProbe.compile(CProbe.Target.GCC_PROJECT_HEADER, probe(generated()));
        assertThat(r.ok()).as(r.output()).isTrue();
    }

    @Test
    void windowsSdkDeclarationsHaveTheStubsValuesWhereTheyHaveTheConstant() throws Exception {
        Map<String, Integer> inMingw = new LinkedHashMap<>(generated());
        for (String absent : new String[] {"WDS_TRANSPORTCLIENT_CURRENT_API_VERSION", "WDS_TRANSPORTCLIENT_NO_CACHE",
                "WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS", "WDS_TRANSPORTCLIENT_STATUS_SUCCESS",
                "WDS_TRANSPORTCLIENT_STATUS_FAILURE", "WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE"}) {
            inMingw.remove(absent);
        }
        inMingw.put("WDS_TRANSPORTCLIENT_MAX_CALLBACKS", 5);   // the Vista-era count: no NEGOTIATE

        CProbe.Result r = CProbe.compile(CProbe.Target.MINGW_SDK_HEADER, probe(inMingw));

        assertThat(r.ok()).as(r.output()).isTrue();
    }

    @Test
    void win32ErrorCodesEqualTheWindowsSdkValues() throws Exception {
        // WAIT_TIMEOUT lives in winbase.h/winerror.h, the WSA codes in winerror.h: windows.h brings all.
        Map<String, Integer> codes = Arrays.stream(Win32Error.values())
                .filter(e -> e != Win32Error.UNKNOWN)
                .collect(Collectors.toMap(Win32Error::name, Win32Error::code, (a, b) -> a, LinkedHashMap::new));
        assertThat(codes).hasSizeGreaterThan(20);

        CProbe.Result r = CProbe.compile(CProbe.Target.MINGW_SDK_HEADER, probe(codes));

        assertThat(r.ok()).as(r.output()).isTrue();
    }
}
