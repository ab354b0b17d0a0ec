// End to end: the real step, with a plugin-style configuration, runs the real scangate against the Qualys emulator
// through bash (sh), then publishes and maps the exit code. Usage:
//   groovy -cp integrations/jenkins/test JenkinsStepE2E.groovy <vars dir> <scangate executable> <emulator URL> <work dir>
Harness h = new Harness(new File(args[0]))
h.realShell = true
h.workDir = new File(args[3])
h.credentialValues = [qualys: ['demo', 'demo']]
String failure = h.runFailing([platform: 'PCP', apiServer: args[2], credsId: 'qualys', useHost: true, hostIp: '192.0.2.10',
                               scannerName: 'External', optionProfile: 'Initial Options', scanName: '[job_name]_jenkins_build_[build_number]',
                               failBySev: true, bySev: 4, failByPci: false, pollingInterval: '10s', vulnsTimeout: '60*2',
                               scangatePath: args[1]])
assert failure.contains('failed the build criteria'): failure + '\n' + h.shellOutput
assert h.call('archiveArtifacts') == [artifacts: 'scangate-out/**', allowEmptyArchive: true]
assert h.call('junit')?.testResults == 'scangate-out/scangate-junit.xml': 'JUnit report not published\n' + h.shellOutput
assert h.call('publishHTML')?.target?.reportFiles == 'scangate-report.html': 'HTML report not published'
assert !h.scanShell().script.contains('demo'): 'credentials must stay out of the script'
println 'Jenkins step against the emulator: policy fail published and reported'
