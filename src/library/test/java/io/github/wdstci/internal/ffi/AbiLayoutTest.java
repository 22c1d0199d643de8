package io.github.wdstci.internal.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the generated struct layouts against three references: the
 * contract's Windows x64 table, gcc compiling headers/wdstci.h, and mingw-w64
 * compiling both headers/wdstci.h and the Windows SDK declarations under the
 * Windows x64 ABI.  The C probes are generated from the layouts themselves:
 * one static assertion for the size and alignment of each struct and for the
 * offset and size of every field, nested fields included.
 */
class AbiLayoutTest {

    /** One field as the contract (section 4) gives it for Windows x64. */
    record Field(String path, long offset, long size) {
    }

    record Struct(String cName, GroupLayout layout, long size, long align, List<Field> fields) {
        @Override
        public String toString() {
            return cName;
        }
    }

    static final Struct REQUEST = new Struct("WDS_TRANSPORTCLIENT_REQUEST", _WDS_TRANSPORTCLIENT_REQUEST.layout(), 64, 8,
            List.of(new Field("ulLength", 0, 4), new Field("ulApiVersion", 4, 4), new Field("ulAuthLevel", 8, 4),
                    new Field("pwszServer", 16, 8), new Field("pwszNamespace", 24, 8),
                    new Field("pwszObjectName", 32, 8), new Field("ulCacheSize", 40, 4),
                    new Field("ulProtocol", 44, 4), new Field("pvProtocolData", 48, 8),
                    new Field("ulProtocolDataLength", 56, 4)));

    static final Struct SESSION_INFO = new Struct("TRANSPORTCLIENT_SESSION_INFO", _TRANSPORTCLIENT_SESSION_INFO.layout(), 24, 8,
            List.of(new Field("ulStructureLength", 0, 4), new Field("ullFileSize", 8, 8),
                    new Field("ullFileSize.LowPart", 8, 4), new Field("ullFileSize.HighPart", 12, 4),
                    new Field("ullFileSize.u", 8, 8), new Field("ullFileSize.u.LowPart", 8, 4),
                    new Field("ullFileSize.u.HighPart", 12, 4), new Field("ullFileSize.QuadPart", 8, 8),
                    new Field("ulBlockSize", 16, 4)));

    static final Struct CALLBACKS = new Struct("WDS_TRANSPORTCLIENT_CALLBACKS", _WDS_TRANSPORTCLIENT_CALLBACKS.layout(), 48, 8,
            List.of(new Field("SessionStart", 0, 8), new Field("SessionStartEx", 8, 8),
                    new Field("ReceiveContents", 16, 8), new Field("ReceiveMetadata", 24, 8),
                    new Field("SessionComplete", 32, 8), new Field("SessionNegotiate", 40, 8)));

    static final Struct ULARGE_INTEGER = new Struct("ULARGE_INTEGER", _ULARGE_INTEGER.layout(), 8, 8,
            List.of(new Field("LowPart", 0, 4), new Field("HighPart", 4, 4), new Field("u", 0, 8),
                    new Field("u.LowPart", 0, 4), new Field("u.HighPart", 4, 4), new Field("QuadPart", 0, 8)));

    /** Every named field of a layout, as C member designators; anonymous members are flattened as C does. */
    static List<Field> fieldsOf(GroupLayout group) {
        List<Field> out = new ArrayList<>();
        collect(group, "", 0, out);
        return out;
    }

    private static void collect(GroupLayout group, String prefix, long base, List<Field> out) {
        long offset = 0;
        for (MemoryLayout m : group.memberLayouts()) {
            long at = group instanceof StructLayout ? offset : 0;
            if (!(m instanceof PaddingLayout)) {
                String name = m.name().orElseThrow(() -> new AssertionError("unnamed member in " + group));
                boolean anonymous = name.startsWith("$anon$");
                String path = anonymous ? prefix : prefix + name;
                if (!anonymous) {
                    out.add(new Field(path, base + at, m.byteSize()));
                }
                if (m instanceof GroupLayout g) {
                    collect(g, anonymous ? prefix : path + ".", base + at, out);
                }
            }
            offset += m.byteSize();
        }
    }

    static String probe(Struct s, List<Field> fields) {
        StringBuilder c = new StringBuilder();
        String t = s.cName();
        c.append("_Static_assert(sizeof(").append(t).append(") == ").append(s.layout().byteSize())
                .append(", \"sizeof ").append(t).append("\");\n");
        c.append("_Static_assert(_Alignof(").append(t).append(") == ").append(s.layout().byteAlignment())
                .append(", \"alignof ").append(t).append("\");\n");
        for (Field f : fields) {
            c.append("_Static_assert(offsetof(").append(t).append(", ").append(f.path()).append(") == ")
                    .append(f.offset()).append(", \"offsetof ").append(t).append('.').append(f.path()).append("\");\n");
            c.append("_Static_assert(sizeof(((").append(t).append(" *)0)->").append(f.path()).append(") == ")
                    .append(f.size()).append(", \"sizeof ").append(t).append('.').append(f.path()).append("\");\n");
        }
        return c.toString();
    }

    static Stream<Struct> allStructs() {
        return Stream.of(REQUEST, SESSION_INFO, CALLBACKS, ULARGE_INTEGER);
    }

    /** The structs the Windows SDK declarations shipped by mingw-w64 have (no CALLBACKS table there). */
    static Stream<Struct> sdkStructs() {
        return Stream.of(REQUEST, SESSION_INFO, ULARGE_INTEGER);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allStructs")
    void generatedLayoutMatchesTheContractsWindowsX64Table(Struct s) {
        assertThat(s.layout().byteSize()).as("size").isEqualTo(s.size());
        assertThat(s.layout().byteAlignment()).as("alignment").isEqualTo(s.align());
        assertThat(fieldsOf(s.layout())).containsExactlyElementsOf(s.fields());
    }

    static Stream<Arguments> structsAndCompilers() {
        Stream<Arguments> project = allStructs().flatMap(s -> Stream.of(
                Arguments.of(s, CProbe.Target.GCC_PROJECT_HEADER),
                Arguments.of(s, CProbe.Target.MINGW_PROJECT_HEADER)));
        Stream<Arguments> sdk = sdkStructs().map(s -> Arguments.of(s, CProbe.Target.MINGW_SDK_HEADER));
        return Stream.concat(project, sdk);
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("structsAndCompilers")
    void everyFieldOfTheGeneratedLayoutMatchesTheCompiler(Struct s, CProbe.Target target) throws Exception {
        List<Field> fields = fieldsOf(s.layout());
        assertThat(fields).hasSameSizeAs(s.fields());

        CProbe.Result r = CProbe.compile(target, probe(s, fields));

        assertThat(r.ok()).as("%s rejects the layout of %s:%n%s", target.compiler, s.cName(), r.output()).isTrue();
    }

    /** The probe is not vacuous: one wrong offset or size is caught by each compiler. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(CProbe.Target.class)
    void aWrongFieldIsRejected(CProbe.Target target) throws Exception {
        List<Field> fields = new ArrayList<>(fieldsOf(REQUEST.layout()));
        Field last = fields.removeLast();
        fields.add(new Field(last.path(), last.offset() + 4, last.size()));

        CProbe.Result r = CProbe.compile(target, probe(REQUEST, fields));

        assertThat(r.ok()).isFalse();
        assertThat(r.output()).contains("offsetof WDS_TRANSPORTCLIENT_REQUEST.ulProtocolDataLength");
    }
}
