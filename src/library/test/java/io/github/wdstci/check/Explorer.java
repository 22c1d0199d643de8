package io.github.wdstci.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Explores every schedule of a model that deviates at most {@code bound} times from a
 * deterministic one, depth first. The deterministic schedule lets the thread at a
 * point go on while it can, else the runnable thread of lowest id; a deviation is any
 * other choice at a point (a preemption, or another thread where one blocks or ends).
 * Each run replays the choices of the one before up to the last one with an
 * alternative left within the bound, takes that alternative, and goes on without
 * deviating. Delay bounding (Emmi, Qadeer and Rakamaric, POPL 2011), a refinement of
 * CHESS's preemption bounding: most concurrency bugs show within one or two.
 */
public final class Explorer {

    /** One model run: builds its threads on a scheduler, then checks what they did. */
    public interface Model {
        /** Makes a fresh system under test and spawns its threads on {@code sched}. */
        void build(Sched sched);

        /** After a complete run: throws an AssertionError for a violated invariant. */
        void check();
    }

    /** The result of an exploration. */
    public record Result(int runs, long maxPoints, Throwable violation, List<Integer> schedule, String model) {
        /** Whether every schedule kept every invariant. */
        public boolean passed() {
            return violation == null;
        }

        @Override
        public String toString() {
            return model + ": " + runs + " runs, up to " + maxPoints + " points"
                    + (violation == null ? ", no violation" : ", VIOLATION in schedule " + schedule + ": " + violation);
        }
    }

    private record Decision(int[] options, int chosen, int preemptionsBefore, boolean[] preempts) {
    }

    private static final boolean PROGRESS = System.getenv("EXPLORER_PROGRESS") != null;

    private final int bound;
    private final int maxRuns;

    /**
     * @param bound   deviations per schedule
     * @param maxRuns a guard: an exploration with more runs fails (the state space grew)
     */
    public Explorer(int bound, int maxRuns) {
        this.bound = bound;
        this.maxRuns = maxRuns;
    }

    /**
     * Explores a model class (its binary name), loaded through an {@link InstrumentingLoader}
     * that makes the fields of {@code instrumented} scheduling points; a fresh instance per run.
     */
    public Result explore(String modelClass, Set<String> instrumented) throws Exception {
        InstrumentingLoader loader = new InstrumentingLoader(Explorer.class.getClassLoader(), instrumented);
        Class<?> c = Class.forName(modelClass, true, loader);
        var constructor = c.getDeclaredConstructor();
        constructor.setAccessible(true);
        return explore(modelClass, () -> {
            try {
                return (Model) constructor.newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Explores the schedules of the models {@code models} makes. */
    public Result explore(String name, Supplier<Model> models) throws InterruptedException {
        List<Integer> prefix = new ArrayList<>();
        int runs = 0;
        long maxPoints = 0;
        while (true) {
            if (runs >= maxRuns) {
                return new Result(runs, maxPoints, new AssertionError("more than " + maxRuns + " runs"), prefix, name);
            }
            List<Decision> trace = new ArrayList<>();
            List<Integer> replay = prefix;
            Sched sched = new Sched((runnable, current) -> choose(runnable, current, replay, trace));
            Model model = models.get();
            model.build(sched);
            Throwable violation = sched.run(30);
            runs++;
            if (PROGRESS && runs % 2000 == 0) {
                System.out.println(name + ": " + runs + " runs, prefix " + prefix.size());
            }
            maxPoints = Math.max(maxPoints, sched.points());
            if (violation == null) {
                try {
                    model.check();
                } catch (Throwable t) {
                    violation = t;
                }
            }
            List<Integer> schedule = trace.stream().map(d -> d.options()[d.chosen()]).toList();
            if (violation != null) {
                return new Result(runs, maxPoints, violation, schedule, name);
            }
            prefix = next(trace);
            if (prefix == null) {
                return new Result(runs, maxPoints, null, List.of(), name);
            }
        }
    }

    /** The choice at one point: replayed while the prefix lasts, then the thread at the point if it can go on. */
    private int choose(int[] runnable, int current, List<Integer> prefix, List<Decision> trace) {
        // options: the thread at the point first (no preemption), then the others by id
        int[] options = new int[runnable.length];
        boolean[] preempts = new boolean[runnable.length];
        int k = 0;
        if (current >= 0) {
            options[k++] = current;
        }
        for (int id : runnable) {
            if (id != current) {
                preempts[k] = k > 0;                  // every choice but the first is a deviation
                options[k++] = id;
            }
        }
        int before = trace.isEmpty() ? 0 : count(trace.get(trace.size() - 1));
        int chosen = trace.size() < prefix.size() ? prefix.get(trace.size()) : 0;
        if (chosen >= options.length) {
            throw new IllegalStateException("the model is not deterministic: replayed choice " + chosen
                    + " of " + options.length + " at point " + trace.size());
        }
        trace.add(new Decision(options, chosen, before, preempts));
        return options[chosen];
    }

    private static int count(Decision d) {
        return d.preemptionsBefore() + (d.preempts()[d.chosen()] ? 1 : 0);
    }

    /** The prefix of the next run: the deepest decision with an alternative within the bound. */
    private List<Integer> next(List<Decision> trace) {
        for (int i = trace.size() - 1; i >= 0; i--) {
            Decision d = trace.get(i);
            for (int alt = d.chosen() + 1; alt < d.options().length; alt++) {
                if (d.preemptionsBefore() + (d.preempts()[alt] ? 1 : 0) <= bound) {
                    List<Integer> prefix = new ArrayList<>(i + 1);
                    for (int j = 0; j < i; j++) {
                        prefix.add(trace.get(j).chosen());
                    }
                    prefix.add(alt);
                    return prefix;
                }
            }
        }
        return null;
    }
}
