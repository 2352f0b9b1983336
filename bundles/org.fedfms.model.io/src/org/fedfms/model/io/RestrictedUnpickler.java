package org.fedfms.model.io;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler admitting only the globals a PyTorch tensor state dict needs. Every global is
 * checked when the pickle names it, before anything could call it; any other global, and the opcodes
 * that build arbitrary instances ({@code INST}, {@code OBJ}, extension codes), stop reading with an
 * error naming it. Tensors come out as {@link TorchCheckpoints.TensorRef}s into the archive's storages.
 */
final class RestrictedUnpickler extends Unpickler {

    /** Globals admitted, by {@code module.name}. */
    private static final Map<String, IObjectConstructor> ALLOWED = allowed();

    /** Thrown for a global or opcode that a state dict does not need. */
    static final class RefusedGlobalException extends PickleException {
        private static final long serialVersionUID = 1L;

        RefusedGlobalException(String message) {
            super(message);
        }
    }

    private static Map<String, IObjectConstructor> allowed() {
        Map<String, IObjectConstructor> m = new HashMap<>();
        m.put("collections.OrderedDict", args -> new LinkedHashMap<>());
        m.put("torch._utils._rebuild_tensor_v2", RestrictedUnpickler::rebuildTensor);
        m.put("torch._utils._rebuild_tensor", RestrictedUnpickler::rebuildTensor);
        IObjectConstructor parameter = args -> {
            if (args.length < 1 || !(args[0] instanceof TorchCheckpoints.TensorRef)) {
                throw new PickleException("_rebuild_parameter without a tensor");
            }
            return args[0];
        };
        m.put("torch._utils._rebuild_parameter", parameter);
        m.put("torch._utils._rebuild_parameter_with_state", parameter);
        for (TorchCheckpoints.ElementType t : TorchCheckpoints.ElementType.values()) {
            m.put("torch." + t.storageName(), args -> {
                throw new PickleException("torch." + t.storageName() + " is only a storage type here");
            });
        }
        return Map.copyOf(m);
    }

    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof TorchCheckpoints.StorageRef storage)
                || !(args[1] instanceof Number offset) || !(args[2] instanceof Object[] size)
                || !(args[3] instanceof Object[] stride) || size.length != stride.length) {
            throw new PickleException("_rebuild_tensor_v2 with unexpected arguments");
        }
        int[] shape = new int[size.length];
        long[] strides = new long[stride.length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = Math.toIntExact(((Number) size[i]).longValue());
            strides[i] = ((Number) stride[i]).longValue();
        }
        return new TorchCheckpoints.TensorRef(storage, offset.longValue(), shape, strides);
    }

    /** The constructor standing for a global, or a refusal naming it. */
    private static Object global(String module, String name) {
        String qualified = module + "." + name;
        IObjectConstructor c = ALLOWED.get(qualified);
        if (c == null) {
            throw new RefusedGlobalException("refused the global '" + qualified
                    + "': a checkpoint of tensors needs only OrderedDict, torch's tensor and parameter rebuild "
                    + "functions and storage types, and anything else could run code");
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            return TorchCheckpoints.ElementType.ofStorageName(name);
        }
        return c;
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(global(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                stack.add(global(String.valueOf(module), String.valueOf(name)));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST, Opcodes.OBJ, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 -> throw new RefusedGlobalException(
                    "refused pickle opcode " + key + ": it builds instances of arbitrary classes");
            case Opcodes.BUILD -> {
                stack.pop();
                Object target = stack.peek();
                if (!(target instanceof Map || target instanceof TorchCheckpoints.TensorRef)) {
                    throw new RefusedGlobalException("refused to set the state of a " + describe(target));
                }
                return NO_RETURN_VALUE; // a state dict's _metadata (module versions): not needed
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(items.get(i), items.get(i + 1)); // in file order (Pyrolite's own goes through a HashMap)
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.REDUCE, Opcodes.NEWOBJ -> {
                Object args = stack.pop();
                Object callable = stack.pop();
                if (!(callable instanceof IObjectConstructor c) || !(args instanceof Object[] a)) {
                    throw new RefusedGlobalException("refused to call a " + describe(callable));
                }
                stack.add(c.construct(a));
                return NO_RETURN_VALUE;
            }
            default -> {
                return super.dispatch(key);
            }
        }
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (pid instanceof Object[] t && t.length >= 5 && "storage".equals(t[0])
                && t[1] instanceof TorchCheckpoints.ElementType type && t[4] instanceof Number numel) {
            return new TorchCheckpoints.StorageRef(type, String.valueOf(t[2]), numel.longValue());
        }
        throw new PickleException("unexpected persistent id (not a torch storage)");
    }
}
