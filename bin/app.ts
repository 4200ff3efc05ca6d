import { App } from 'aws-cdk-lib';
import { buildConsole } from '../lambdas/local/console-build';
import { projectPath } from '../lib/common/project-paths';
import { loadDeploymentConfig } from '../lib/config/deployment-config';
import { buildWaggleApp } from '../lib/waggle-app';

// Which deployment config to read: `cdk synth -c deploymentConfig=path`, else WAGGLE_DEPLOYMENT_CONFIG,
// else the file checked into the repository.
const app = new App();
const configPath =
  (app.node.tryGetContext('deploymentConfig') as string | undefined) ??
  process.env.WAGGLE_DEPLOYMENT_CONFIG ??
  projectPath('config/deployment.json');
const config = loadDeploymentConfig(configPath);

// The control plane serves the console from ui/dist: build it first when it is missing or stale.
// stdout is the CDK CLI's; progress goes to stderr.
const consoleBuild = await buildConsole({ progress: (line) => process.stderr.write(`waggle: ${line}\n`) });
if (consoleBuild.status === 'failed') {
  throw new Error(`Cannot synthesize the control plane without the console build: ${consoleBuild.error}`);
}

buildWaggleApp(app, config);
app.synth();
