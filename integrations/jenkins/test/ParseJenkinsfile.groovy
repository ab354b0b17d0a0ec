// Compiles a Jenkinsfile (declarative or scripted) without running it: a syntax error fails with exit 1.
import org.codehaus.groovy.control.CompilationFailedException
try {
    new GroovyShell().parse(new File(args[0]))
} catch (CompilationFailedException e) {
    System.err.println(e.message)
    System.exit(1)
}
