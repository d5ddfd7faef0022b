package dev.outpost.protoc;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import java.util.ArrayList;
import java.util.List;

/** protoc's Java rules for a file: its package, its outer class and its top-level classes. */
final class JavaFiles {
    private JavaFiles() {
    }

    /** {@code java_package}, else the proto package. */
    static String javaPackage(FileDescriptorProto file) {
        return file.getOptions().hasJavaPackage() ? file.getOptions().getJavaPackage() : file.getPackage();
    }

    /**
     * {@code java_outer_classname}, else the file's base name camel-cased, with {@code OuterClass}
     * appended when a message (nested ones too), enum or service of the file has that name.
     */
    static String outerClass(FileDescriptorProto file) {
        if (file.getOptions().hasJavaOuterClassname()) {
            return file.getOptions().getJavaOuterClassname();
        }
        String base = file.getName().substring(file.getName().lastIndexOf('/') + 1);
        if (base.endsWith(".proto")) {
            base = base.substring(0, base.length() - ".proto".length());
        } else if (base.endsWith(".protodevel")) {
            base = base.substring(0, base.length() - ".protodevel".length());
        }
        String name = Names.javaFileClass(base);
        return typeNames(file).contains(name) ? name + "OuterClass" : name;
    }

    /** The class of a message of this file, from its full name without the leading dot. */
    static String messageClass(FileDescriptorProto file, String fullName) {
        String relative = file.getPackage().isEmpty() ? fullName : fullName.substring(file.getPackage().length() + 1);
        String prefix = qualify(javaPackage(file), "");
        return file.getOptions().getJavaMultipleFiles()
                ? prefix + relative
                : prefix + outerClass(file) + "." + relative;
    }

    /** The qualified names of the top-level classes protoc generates for the file. */
    static List<String> topLevelClasses(FileDescriptorProto file) {
        List<String> classes = new ArrayList<>();
        String pkg = javaPackage(file);
        classes.add(qualify(pkg, outerClass(file)));
        if (file.getOptions().getJavaMultipleFiles()) {
            file.getMessageTypeList().forEach(m -> classes.add(qualify(pkg, m.getName())));
            file.getEnumTypeList().forEach(e -> classes.add(qualify(pkg, e.getName())));
        }
        return classes;
    }

    static String qualify(String pkg, String name) {
        return pkg.isEmpty() ? name : pkg + "." + name;
    }

    private static List<String> typeNames(FileDescriptorProto file) {
        List<String> names = new ArrayList<>();
        file.getEnumTypeList().stream().map(EnumDescriptorProto::getName).forEach(names::add);
        file.getServiceList().stream().map(ServiceDescriptorProto::getName).forEach(names::add);
        file.getMessageTypeList().forEach(m -> addNames(m, names));
        return names;
    }

    private static void addNames(DescriptorProto message, List<String> names) {
        names.add(message.getName());
        message.getEnumTypeList().stream().map(EnumDescriptorProto::getName).forEach(names::add);
        message.getNestedTypeList().forEach(n -> addNames(n, names));
    }
}
