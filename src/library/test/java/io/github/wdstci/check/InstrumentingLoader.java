package io.github.wdstci.check;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Loads the library's classes (and the models beside them) anew, child first, with a
 * call to {@link Sched#access()} before every field read and write, and every
 * {@code VarHandle} operation, in the classes named: each becomes a scheduling point,
 * so that a transition written without its lock can be interleaved with another.
 * Classes of this package are shared with the caller.
 */
public final class InstrumentingLoader extends ClassLoader {

    private static final String OWN = "io.github.wdstci.";
    private static final String CHECK = "io.github.wdstci.check.";
    private static final String HOOK = Sched.class.getName().replace('.', '/');

    private final Set<String> instrumented;

    /** @param instrumented binary names of the classes whose field accesses are points */
    public InstrumentingLoader(ClassLoader parent, Set<String> instrumented) {
        super("instrumenting", parent);
        this.instrumented = instrumented;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(OWN) || name.startsWith(CHECK)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] bytes = read(name);
                if (instrumented.contains(name)) {
                    bytes = instrument(bytes);
                }
                c = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private byte[] read(String name) throws ClassNotFoundException {
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    private static byte[] instrument(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        String self = reader.getClassName();
        Set<String> finals = new java.util.HashSet<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public org.objectweb.asm.FieldVisitor visitField(int access, String name, String descriptor, String signature,
                                                             Object value) {
                if ((access & Opcodes.ACC_FINAL) != 0) {
                    finals.add(name);
                }
                return null;
            }
        }, ClassReader.SKIP_CODE);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (name.equals("<init>") || name.equals("<clinit>")) {
                    return mv;                        // nothing is shared before construction ends
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitFieldInsn(int opcode, String owner, String field, String desc) {
                        if ((opcode == Opcodes.GETFIELD || opcode == Opcodes.PUTFIELD) && owner.equals(self)
                                && !finals.contains(field)) {
                            hook();                   // a final field is not shared state
                        }
                        super.visitFieldInsn(opcode, owner, field, desc);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        if (owner.equals("java/lang/invoke/VarHandle")) {
                            hook();
                        }
                        super.visitMethodInsn(opcode, owner, method, desc, itf);
                    }

                    private void hook() {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "access", "()V", false);
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }
}
