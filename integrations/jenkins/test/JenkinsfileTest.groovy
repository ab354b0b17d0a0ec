// Runs a generated Jenkinsfile (declarative) with stubbed pipeline DSL and the real shared library step, then checks
// that the scangate command the step builds carries exactly the flags of the generated shell fragment (GitHub) for
// the same scenario: the Jenkins path and the shell path of `scangate pipeline` must agree.
// Usage: groovy -cp integrations/jenkins/test JenkinsfileTest.groovy <Jenkinsfile> <github fragment> <vars dir>
import org.codehaus.groovy.control.CompilationFailedException

File jenkinsfile = new File(args[0])
File github = new File(args[1])
Harness h = new Harness(new File(args[2]))

GroovyClassLoader loader = new GroovyClassLoader(this.class.classLoader)
loader.parseClass('import java.lang.annotation.*\n@Retention(RetentionPolicy.RUNTIME) @interface Library { String[] value() }')
Binding b = new Binding()
Closure body = { Object... a -> (a[-1] as Closure).call() }
['pipeline', 'stages', 'steps'].each { b.setVariable(it, { Closure c -> c.call() }) }
b.setVariable('stage', { String name, Closure c -> c.call() })
b.setVariable('agent', { Object o -> null })
b.setVariable('any', 'any')
b.setVariable('qualysVulnerabilityAnalyzer', { Map p -> h.run(p) })
try {
    new GroovyShell(loader, b).parse(jenkinsfile.text, 'Jenkinsfile').run()
} catch (CompilationFailedException e) {
    System.err.println("does not compile: ${e.message}")
    System.exit(1)
}

// Shell words through a real shell, so quoting is judged by sh itself.
List words(String command) {
    Process p = ['sh', '-c', 'set -- ' + command + '; for w in "$@"; do printf "%s\\n" "$w"; done'].execute()
    String out = p.text
    p.waitFor()
    assert p.exitValue() == 0
    return out.readLines()
}

List pairs(List tokens) {
    List result = []
    for (int i = 0; i < tokens.size(); i++) {
        boolean value = i + 1 < tokens.size() && !tokens[i + 1].startsWith('--')
        result.add(value ? tokens[i] + ' ' + tokens[++i] : tokens[i])
    }
    return result.sort()
}

List jenkins = words(h.scanShell().script).drop(2)   // exe, scan
List lines = github.readLines()
int start = lines.findIndexOf { it.trim().startsWith('.scangate/tool/scangate scan') }
StringBuilder command = new StringBuilder()
for (int i = start; i < lines.size(); i++) {
    String line = lines[i].trim()
    if (line.endsWith('\\')) { command.append(line[0..-2]).append(' '); continue }
    command.append(line.replace(' || rc=$?', ''))
    break
}
List shell = words(command.toString()).drop(2)
assert h.scanShell().env.QUALYS_PASSWORD?.startsWith('S3cr3t'): 'credentials not passed through withCredentials'
// SARIF points at the file each fragment is saved as: the one flag whose value differs between the two CIs.
List jenkinsPairs = pairs(jenkins)
List shellPairs = pairs(shell)
List jenkinsSarif = jenkinsPairs.findAll { it.startsWith('--sarif-target ') }
List shellSarif = shellPairs.findAll { it.startsWith('--sarif-target ') }
assert (jenkinsSarif.isEmpty() && shellSarif.isEmpty()) ||
    (jenkinsSarif == ['--sarif-target Jenkinsfile'] && shellSarif == ['--sarif-target .github/workflows/qualys-scan.yml'])
assert jenkinsPairs.findAll { !it.startsWith('--sarif-target ') } == shellPairs.findAll { !it.startsWith('--sarif-target ') }
println "Jenkinsfile and shell fragment agree: ${jenkinsPairs.size()} flags"
