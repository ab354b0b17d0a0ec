// Jenkins pipeline steps stubbed around the real vars/qualysVulnerabilityAnalyzer.groovy; records every call.
class Harness {
    static class StepError extends RuntimeException {
        StepError(String message) { super(message) }
    }

    List calls = []            // [step, args] in order
    List shells = []           // [script: .., env: snapshot, returnStatus: ..]
    Map env = [BUILD_NUMBER: '42', JOB_NAME: 'folder/app']
    Map currentBuild = [result: null]
    Set files = [] as Set
    int scanStatus = 0
    Script step
    // End-to-end mode: sh runs the script with bash in workDir, credentials come from credentialValues.
    boolean realShell = false
    File workDir = new File('.')
    Map credentialValues = [:]
    String shellOutput = ''

    Harness(File varsDir) {
        Binding b = new Binding()
        Map active = [:]    // environment visible to sh, like Jenkins' build environment overlay
        b.setVariable('env', env)
        b.setVariable('currentBuild', currentBuild)
        b.setVariable('sh', { Map a ->
            calls.add(['sh', a])
            Map snapshot = new LinkedHashMap(active)
            shells.add([script: a.script, env: snapshot, returnStatus: a.returnStatus])
            if (realShell) {
                List envp = System.getenv().collect { k, v -> "${k}=${v}".toString() }
                snapshot.each { k, v -> envp.add("${k}=${v}".toString()) }
                Process p = ['bash', '-c', a.script.toString()].execute(envp, workDir)
                StringBuffer out = new StringBuffer()
                p.consumeProcessOutput(out, out)
                int rc = p.waitFor()
                shellOutput += out.toString()
                if (!a.returnStatus && rc != 0) {
                    throw new Harness.StepError("script returned exit code ${rc}")
                }
                return a.returnStatus ? rc : null
            }
            if (a.script.toString().contains("'dotnet' 'tool' 'install'")) {
                files.add(a.script.toString().split("'--tool-path' '")[1].split("'")[0] + '/scangate')
                return 0
            }
            return a.returnStatus ? scanStatus : null
        })
        b.setVariable('withEnv', { List vars, Closure body ->
            calls.add(['withEnv', vars])
            Map saved = new LinkedHashMap(active)
            for (String v in vars) {
                int i = v.indexOf('=')
                active[v.substring(0, i)] = v.substring(i + 1)
            }
            try { return body() } finally { active.clear(); active.putAll(saved) }
        })
        b.setVariable('usernamePassword', { Map a -> [kind: 'usernamePassword'] + a })
        b.setVariable('withCredentials', { List bindings, Closure body ->
            calls.add(['withCredentials', bindings])
            Map saved = new LinkedHashMap(active)
            for (Map c in bindings) {
                List given = credentialValues[c.credentialsId] as List
                active[c.usernameVariable] = given ? given[0] : 'user-of-' + c.credentialsId
                active[c.passwordVariable] = given ? given[1] : 'S3cr3t-of-' + c.credentialsId
            }
            try { return body() } finally { active.clear(); active.putAll(saved) }
        })
        b.setVariable('fileExists', { String f -> realShell ? new File(workDir, f).exists() : files.contains(f) })
        b.setVariable('archiveArtifacts', { Map a -> calls.add(['archiveArtifacts', a]) })
        b.setVariable('junit', { Map a -> calls.add(['junit', a]) })
        b.setVariable('publishHTML', { Map a -> calls.add(['publishHTML', a]) })
        b.setVariable('echo', { String m -> calls.add(['echo', m]) })
        b.setVariable('unstable', { String m -> calls.add(['unstable', m]) })
        b.setVariable('error', { String m -> calls.add(['error', m]); throw new Harness.StepError(m) })
        step = new GroovyShell(b).parse(new File(varsDir, 'qualysVulnerabilityAnalyzer.groovy'))
    }

    def run(Map parameters) { step.call(parameters) }

    // Runs the step expecting error(); returns the message.
    String runFailing(Map parameters) {
        try {
            step.call(parameters)
        } catch (Harness.StepError e) {
            return e.message
        }
        throw new AssertionError('expected the step to call error()')
    }

    Map scanShell() { shells.find { it.returnStatus } }

    List stepNames() { calls.collect { it[0] } }

    def call(String name) { calls.find { it[0] == name }?.getAt(1) }
}
