import { App } from 'aws-cdk-lib';
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

buildWaggleApp(app, loadDeploymentConfig(configPath));
app.synth();
