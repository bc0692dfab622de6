#!/usr/bin/env python3
# Writes fixtures/lint/<code>/{fail,pass}.<type>.json: one failing and one passing policy
# per lint code, written from the AWS pages each rule cites (see fixtures/lint/README.md).
# Rerun after adding a rule: python3 scripts/gen-lint-fixtures.py (rewrites fixtures/lint).
import json, os
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'lint')
V='2012-10-17'
def pol(*st, version=V, extra=None):
    d={}
    if version: d['Version']=version
    if extra: d.update(extra)
    d['Statement']=list(st)
    return json.dumps(d, indent=2)+"\n"
def S(effect='Allow', action='s3:GetObject', resource='arn:aws:s3:::amzn-s3-demo-bucket/*', **kw):
    s={'Effect':effect}
    if action is not None: s['Action']=action
    if resource is not None: s['Resource']=resource
    s.update(kw); return s
ACC='arn:aws:iam::111122223333:root'
def R(effect='Allow', action='s3:GetObject', resource='arn:aws:s3:::amzn-s3-demo-bucket/*', principal={'AWS':ACC}, **kw):
    s={'Effect':effect}
    if principal is not None: s['Principal']=principal
    if action is not None: s['Action']=action
    if resource is not None: s['Resource']=resource
    s.update(kw); return s
def T(principal={'Service':'ec2.amazonaws.com'}, action='sts:AssumeRole', **kw):
    s={'Effect':'Allow','Principal':principal,'Action':action}; s.update(kw); return s
good_id=pol(S())
F={}
def fx(code, fail, passing, fty='identity', pty=None):
    F[code]=[(f'fail.{fty}.json',fail),(f'pass.{pty or fty}.json',passing)]
def also(code, name, text):
    """Another fixture of `code`: `name` is `fail.<type>[.<label>].json` or `pass…`."""
    F[code].append((name, text))
# parser codes
fx('json-syntax','{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",}\n  ]\n}\n', good_id)
deep='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:username":'+'['*40+'"x"'+']'*40+'}}}}\n'
fx('limit', deep, good_id)
fx('type', pol(S(action=42)), good_id)
fx('invalid-version', pol(S(), version='2012-10-18'), good_id)
fx('unknown-element', pol(S(Resources='*')), good_id)
fx('missing-statement', json.dumps({'Version':V},indent=2)+"\n", good_id)
fx('duplicate-key', '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}\n  ]\n}\n', good_id)
fx('empty', pol(S(action=[])), good_id)
fx('invalid-effect', pol(S(effect='allow')), good_id)
fx('missing-effect', pol({'Action':'s3:GetObject','Resource':'*'}), good_id)
fx('missing-element', pol(S(resource=None)), good_id)
also('missing-element', 'fail.rcp.json', pol(R(effect='Deny', principal='*', action='s3:*', resource=None, Condition={'BoolIfExists':{'aws:SecureTransport':'false'}})))
also('missing-element', 'pass.rcp.json', pol(R(effect='Deny', principal='*', action='s3:*', resource='*', Condition={'BoolIfExists':{'aws:SecureTransport':'false'}})))
fx('conflicting-elements', pol(S(NotAction='s3:PutObject')), good_id)
fx('missing-principal', pol(S()), pol(R()), 'resource')
fx('principal-not-allowed', pol(S(Principal={'AWS':ACC})), good_id)
# SCPs: Principal and NotPrincipal are still not supported (SCP syntax page; NotPrincipal page:
# "SCPs and RCPs do not support the NotPrincipal element"); everything else of the IAM
# language is, since September 2025 (the `scp-syntax-error-*` codes are retired).
also('principal-not-allowed', 'fail.scp.principal.json', pol(S(effect='Deny', action='s3:*', resource='*', Principal='*')))
also('principal-not-allowed', 'fail.scp.notprincipal.json', pol(S(effect='Deny', action='s3:*', resource='*', NotPrincipal={'AWS':ACC})))
also('principal-not-allowed', 'pass.scp.full-language.json', pol(
    S(action='s3:GetObject', resource='arn:aws:s3:::amzn-s3-demo-bucket/*', Condition={'StringEquals':{'aws:RequestedRegion':'us-east-1'}}),
    S(action=None, resource='*', NotAction=['iam:*', 'organizations:*']),
    S(effect='Deny', action='s3:DeleteBucket', resource=None, NotResource='arn:aws:s3:::amzn-s3-demo-bucket'),
    S(effect='Deny', action='iam:*AccessKey*', resource='*')))
fx('invalid-principal', pol(R(principal={'User':ACC})), pol(R()), 'resource')
fx('invalid-action', pol(S(action='s3 GetObject')), good_id)
# Empty action names and whitespace (conformance issue: `"NotAction": "s3:"` in an Allow).
also('invalid-action', 'fail.identity.empty-name.json', pol(S(action=None, NotAction='s3:')))
also('invalid-action', 'fail.identity.blank-name.json', pol(S(action='s3:   ')))
also('invalid-action', 'fail.identity.trailing-space.json', pol(S(action=['s3:GetObject   ', ' s3:PutObject'])))
also('invalid-action', 'fail.identity.inner-space.json', pol(S(action='s3: GetObject')))
also('invalid-action', 'fail.identity.no-service.json', pol(S(action=':GetObject')))
also('invalid-action', 'pass.identity.wildcards.json', pol(S(action=['s3:Get*', 's3:*Object', '*'])))
fx('unresolvable-principal', pol(R(principal={'AWS':'account-ARN'})), pol(R()), 'resource')
fx('unknown-operator', pol(S(Condition={'StringEqual':{'aws:username':'alice'}})), pol(S(Condition={'StringEquals':{'aws:username':'alice'}})))
# Not UTF-8: `é` in Latin-1 (one byte 0xE9). Written as bytes.
fx('not-utf8', pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/caf\u00e9/*')).replace('\\u00e9', '\udce9'), pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/caf\u00e9/*')))
fx('yaml-syntax', None, None)
F['yaml-syntax']=[('fail.auto.yaml', "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Role: [\n"), ('pass.auto.yaml', "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'\n")]
# document
fx('missing-version', pol(S(), version=None), good_id)
fx('variable-unsupported-in-version', pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*'), version='2008-10-17'), pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*')))
big=[S(resource=[f'arn:aws:s3:::amzn-s3-demo-bucket/reports/{i:04d}/*' for i in range(200)])]
fx('policy-size-exceeds-identity-policy-quota', pol(*big), good_id)
# SCPs count every character, whitespace included (SCP syntax page): the failing one is
# under 5,120 characters without its whitespace.
fx('policy-size-exceeds-scp-quota', pol(S(effect='Deny', action='s3:PutObject', resource=[f'arn:aws:s3:::amzn-s3-demo-bucket/reports/{i:04d}/*' for i in range(95)])), pol(S(effect='Deny', action='s3:PutObject', resource='*')), 'scp')
also('policy-size-exceeds-scp-quota', 'pass.scp.compact.json', json.dumps(json.loads(pol(S(effect='Deny', action='s3:PutObject', resource=[f'arn:aws:s3:::amzn-s3-demo-bucket/reports/{i:04d}/*' for i in range(95)]))), separators=(',', ':'))+"\n")
RS=dict(effect='Deny', principal='*', action='s3:GetObject', Condition={'StringNotEqualsIfExists':{'aws:PrincipalOrgID':'o-a1b2c3d4e5'}})
fx('policy-size-exceeds-rcp-quota', pol(R(resource=[f'arn:aws:s3:::amzn-s3-demo-bucket/reports/{i:04d}/*' for i in range(95)], **RS)), pol(R(resource='*', **RS)), 'rcp')
also('policy-size-exceeds-identity-policy-quota', 'fail.boundary.json', pol(*big))
also('policy-size-exceeds-identity-policy-quota', 'pass.boundary.json', good_id)
fx('policy-size-exceeds-role-trust-policy-quota', pol(T(principal={'AWS':[f'arn:aws:iam::111122223333:role/deployment-role-{i:03d}' for i in range(50)]})), pol(T()), 'trust')
fx('policy-size-exceeds-resource-policy-quota', pol(R(principal={'AWS':[f'arn:aws:iam::111122223333:role/deployment-role-{i:04d}' for i in range(450)]})), pol(R()), 'resource')
fx('empty-sid-value', pol(S(Sid='')), pol(S(Sid='ReadObjects')))
fx('unsupported-sid', pol(S(Sid='read-objects')), pol(S(Sid='ReadObjects')))
fx('unique-sids-required', pol(R(Sid='A'), R(Sid='A', action='s3:PutObject')), pol(R(Sid='A'), R(Sid='B', action='s3:PutObject')), 'resource')
fx('unique-sids-recommended', pol(S(Sid='A'), S(Sid='A', action='s3:PutObject')), pol(S(Sid='A'), S(Sid='B', action='s3:PutObject')))
fx('variable-unsupported-in-element', pol(S(action='s3:${aws:username}')), pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*')))
fx('wildcard-in-service-name', pol(S(action='s*:GetObject')), pol(S(action='s3:Get*')))
fx('redundant-action', pol(S(action=['s3:Get*','s3:GetObject'])), pol(S(action=['s3:GetObject','s3:PutObject'])))
fx('redundant-resource', pol(S(resource=['arn:aws:s3:::amzn-s3-demo-bucket/*','arn:aws:s3:::amzn-s3-demo-bucket/photos/cat.jpg'])), pol(S(resource=['arn:aws:s3:::amzn-s3-demo-bucket/*','arn:aws:s3:::amzn-s3-demo-bucket'])))
fx('invalid-arn-prefix', pol(S(resource='amzn-s3-demo-bucket/*')), good_id)
fx('missing-arn-field', pol(S(resource='arn:aws:s3:amzn-s3-demo-bucket')), good_id)
fx('invalid-partition', pol(S(resource='arn:amazon:s3:::amzn-s3-demo-bucket/*')), good_id)
fx('invalid-arn-service-case', pol(S(resource='arn:aws:S3:::amzn-s3-demo-bucket/*')), good_id)
fx('invalid-arn-region', pol(S(action='sqs:SendMessage', resource='arn:aws:sqs:Virginia:111122223333:queue1')), pol(S(action='sqs:SendMessage', resource='arn:aws:sqs:us-east-1:111122223333:queue1')))
fx('invalid-arn-account', pol(S(action='sqs:SendMessage', resource='arn:aws:sqs:us-east-1:1111-2222-3333:queue1')), pol(S(action='sqs:SendMessage', resource='arn:aws:sqs:us-east-1:111122223333:queue1')))
fx('invalid-arn-resource', pol(S(action='sqs:SendMessage', resource='arn:aws:sqs:us-east-1:111122223333:')), pol(S(action='sqs:SendMessage', resource='arn:aws:sqs:us-east-1:111122223333:*')))
fx('empty-object-principal', pol(R(principal={})), pol(R()), 'resource')
fx('unsupported-wildcard-in-principal', pol(R(principal={'AWS':'arn:aws:iam::111122223333:user/*'})), pol(R(principal='*', Condition={'ArnLike':{'aws:PrincipalArn':'arn:aws:iam::111122223333:user/*'}})), 'resource')
fx('invalid-service-principal-format', pol(R(principal={'Service':'arn:aws:iam::111122223333:role/ec2'}, Condition={'StringEquals':{'aws:SourceAccount':'111122223333'}})), pol(R(principal={'Service':'cloudtrail.amazonaws.com'}, Condition={'StringEquals':{'aws:SourceAccount':'111122223333'}})), 'resource')
fx('empty-object-condition', pol(S(Condition={})), good_id)
fx('null-with-if-exists', pol(S(effect='Deny', Condition={'NullIfExists':{'aws:MultiFactorAuthAge':'true'}})), pol(S(effect='Deny', Condition={'Null':{'aws:MultiFactorAuthAge':'true'}})))
fx('null-with-qualifier', pol(S(effect='Deny', Condition={'ForAnyValue:Null':{'aws:TagKeys':'true'}})), pol(S(effect='Deny', Condition={'Null':{'aws:TagKeys':'true'}})))
fx('invalid-condition-key-format', pol(S(Condition={'StringEquals':{'SourceIp':'alice'}})), pol(S(Condition={'StringEquals':{'aws:username':'alice'}})))
fx('missing-tag-key-in-condition', pol(S(Condition={'StringEquals':{'aws:ResourceTag/':'dev'}})), pol(S(Condition={'StringEquals':{'aws:ResourceTag/team':'dev'}})))
fx('invalid-variable-for-operator', pol(S(Condition={'NumericLessThan':{'s3:max-keys':'${aws:username}'}})), pol(S(Condition={'StringEquals':{'s3:prefix':'${aws:username}'}})))
fx('type-mismatch-number', pol(S(Condition={'NumericLessThan':{'s3:max-keys':'ten'}})), pol(S(Condition={'NumericLessThan':{'s3:max-keys':'10'}})))
fx('type-mismatch-date', pol(S(Condition={'DateLessThan':{'aws:CurrentTime':'next monday'}})), pol(S(Condition={'DateLessThan':{'aws:CurrentTime':'2026-12-31T23:59:59Z'}})))
fx('type-mismatch-boolean', pol(S(Condition={'Bool':{'aws:SecureTransport':'yes'}})), pol(S(Condition={'Bool':{'aws:SecureTransport':'true'}})))
fx('type-mismatch-ip-range', pol(S(Condition={'IpAddress':{'aws:SourceIp':'203.0.113.0/33'}})), pol(S(Condition={'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}})))
fx('type-mismatch', pol(S(Condition={'BinaryEquals':{'aws:username':'not base64!'}})), pol(S(Condition={'BinaryEquals':{'aws:username':'YWxpY2U='}})))
fx('wildcard-without-like-operator', pol(S(Condition={'StringEquals':{'s3:prefix':'home/*'}})), pol(S(Condition={'StringLike':{'s3:prefix':'home/*'}})))
fx('invalid-condition-multiple-boolean', pol(S(Condition={'Bool':{'aws:SecureTransport':['true','false']}})), pol(S(Condition={'Bool':{'aws:SecureTransport':'true'}})))
fx('missing-brace-in-variable', pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/*', Condition={'StringLike':{'s3:prefix':'home/${aws:username/*'}})), pol(S(Condition={'StringLike':{'s3:prefix':'home/${aws:username}/*'}})))
fx('empty-variable', pol(S(Condition={'StringLike':{'s3:prefix':'home/${}/*'}})), pol(S(Condition={'StringLike':{'s3:prefix':'home/${aws:username}/*'}})))
fx('unsupported-space-in-variable', pol(S(Condition={'StringLike':{'s3:prefix':'home/${ aws:username}/*'}})), pol(S(Condition={'StringLike':{'s3:prefix':'home/${aws:username}/*'}})))
fx('improve-ip-range', pol(S(Condition={'IpAddress':{'aws:SourceIp':'203.0.113.7/24'}})), pol(S(Condition={'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}})))
fx('private-ip-address', pol(S(Condition={'IpAddress':{'aws:SourceIp':'10.0.0.0/8'}})), pol(S(Condition={'IpAddress':{'aws:VpcSourceIp':'10.0.0.0/8'}})))
fx('private-ip-address-subset', pol(S(Condition={'IpAddress':{'aws:SourceIp':['203.0.113.0/24','192.168.0.0/16']}})), pol(S(Condition={'IpAddress':{'aws:SourceIp':['203.0.113.0/24']}})))
fx('invalid-region', pol(S(effect='Deny', action='*', resource='*', Condition={'StringNotEquals':{'aws:RequestedRegion':['us-east-1','Frankfurt']}})), pol(S(effect='Deny', action='*', resource='*', Condition={'StringNotEquals':{'aws:RequestedRegion':['us-east-1','eu-central-1']}})))
fx('invalid-vpc-format', pol(S(effect='Deny', Condition={'StringNotEquals':{'aws:SourceVpc':'my-vpc'}})), pol(S(effect='Deny', Condition={'StringNotEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}})))
fx('invalid-vpce-format', pol(S(effect='Deny', Condition={'StringNotEquals':{'aws:SourceVpce':'vpc-1a2b3c4d'}})), pol(S(effect='Deny', Condition={'StringNotEquals':{'aws:SourceVpce':'vpce-1a2b3c4d'}})))
fx('invalid-account-id', pol(S(Condition={'StringEquals':{'aws:ResourceAccount':'1111-2222-3333'}})), pol(S(Condition={'StringEquals':{'aws:ResourceAccount':'111122223333'}})))
fx('forallvalues-with-single-valued-key', pol(S(Condition={'ForAllValues:StringEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}})), pol(S(Condition={'StringEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}})))
fx('foranyvalue-with-single-valued-key', pol(S(Condition={'ForAnyValue:StringEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}})), pol(S(Condition={'StringEquals':{'aws:SourceVpc':'vpc-1a2b3c4d'}})))
fx('missing-qualifier', pol(S(action='ec2:CreateTags', resource='*', Condition={'StringEquals':{'aws:TagKeys':'team'}})), pol(S(action='ec2:CreateTags', resource='*', Condition={'ForAnyValue:StringEquals':{'aws:TagKeys':'team'}})))
fx('forallvalues-allow-absent-key', pol(S(action='dynamodb:GetItem', resource='arn:aws:dynamodb:us-east-1:111122223333:table/Thread', Condition={'ForAllValues:StringEquals':{'dynamodb:Attributes':['ID','Message']}})), pol(S(action='dynamodb:GetItem', resource='arn:aws:dynamodb:us-east-1:111122223333:table/Thread', Condition={'ForAllValues:StringEquals':{'dynamodb:Attributes':['ID','Message']},'Null':{'dynamodb:Attributes':'false'}})))
# Restricting the tag keys a request may set (AWS managed policies' pattern): no finding.
also('forallvalues-allow-absent-key', 'pass.identity.tag-keys.json', pol(S(action='ec2:CreateTags', resource='*', Condition={'ForAllValues:StringEquals':{'aws:TagKeys':['team','env']}})))
# SCP / RCP
fx('rcp-syntax-error-notprincipal', pol(R(effect='Deny', principal=None, action='s3:*', resource='*', NotPrincipal={'AWS':ACC})), pol(R(effect='Deny', principal='*', action='s3:*', resource='*', Condition={'StringNotEquals':{'aws:PrincipalAccount':'111122223333'}})), 'rcp')
fx('rcp-syntax-error-principal', pol(R(effect='Deny', action='s3:*', resource='*')), pol(R(effect='Deny', principal='*', action='s3:*', resource='*', Condition={'StringNotEquals':{'aws:PrincipalAccount':'111122223333'}})), 'rcp')
fx('rcp-syntax-error-allow', pol(R(principal='*', action='s3:GetObject', resource='*')), pol(R(principal='*', action='*', resource='*')), 'rcp')
fx('rcp-unsupported-service', pol(R(effect='Deny', principal='*', action='ec2:RunInstances', resource='*', Condition={'StringNotEquals':{'aws:PrincipalAccount':'111122223333'}})), pol(R(effect='Deny', principal='*', action='sqs:SendMessage', resource='*', Condition={'StringNotEquals':{'aws:PrincipalAccount':'111122223333'}})), 'rcp')
# trust
fx('trust-policy-syntax-error-notprincipal', pol({'Effect':'Allow','NotPrincipal':{'AWS':ACC},'Action':'sts:AssumeRole'}), pol(T(principal={'AWS':ACC})), 'trust')
fx('trust-policy-syntax-error-resource', pol(T(Resource='arn:aws:iam::111122223333:role/app')), pol(T()), 'trust')
fx('mismatched-action-for-principal', pol(T(principal={'Federated':'arn:aws:iam::111122223333:saml-provider/ExampleOrgSSOProvider'}, action='sts:AssumeRole', Condition={'StringEquals':{'SAML:aud':'https://signin.aws.amazon.com/saml'}})), pol(T(principal={'Federated':'arn:aws:iam::111122223333:saml-provider/ExampleOrgSSOProvider'}, action='sts:AssumeRoleWithSAML', Condition={'StringEquals':{'SAML:aud':'https://signin.aws.amazon.com/saml'}})), 'trust')
GH='arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com'
fx('missing-github-repo-condition-key', pol(T(principal={'Federated':GH}, action='sts:AssumeRoleWithWebIdentity', Condition={'StringEquals':{'token.actions.githubusercontent.com:aud':'sts.amazonaws.com'}})), pol(T(principal={'Federated':GH}, action='sts:AssumeRoleWithWebIdentity', Condition={'StringEquals':{'token.actions.githubusercontent.com:aud':'sts.amazonaws.com','token.actions.githubusercontent.com:sub':'repo:octo-org/octo-repo:ref:refs/heads/main'}})), 'trust')
fx('specific-github-repo-and-branch-recommended', pol(T(principal={'Federated':GH}, action='sts:AssumeRoleWithWebIdentity', Condition={'StringEquals':{'token.actions.githubusercontent.com:aud':'sts.amazonaws.com'},'StringLike':{'token.actions.githubusercontent.com:sub':'repo:octo-org/*'}})), pol(T(principal={'Federated':GH}, action='sts:AssumeRoleWithWebIdentity', Condition={'StringEquals':{'token.actions.githubusercontent.com:aud':'sts.amazonaws.com','token.actions.githubusercontent.com:sub':'repo:octo-org/octo-repo:ref:refs/heads/main'}})), 'trust')
# security
fx('pass-role-with-not-resource', pol(S(action='iam:PassRole', resource=None, NotResource='arn:aws:iam::111122223333:role/admin')), pol(S(action='iam:PassRole', resource='arn:aws:iam::111122223333:role/app-*')))
fx('pass-role-with-star-in-resource', pol(S(action='iam:PassRole', resource='*')), pol(S(action='iam:PassRole', resource='*', Condition={'StringEquals':{'iam:PassedToService':'ec2.amazonaws.com'}})))
fx('allow-with-not-action', pol(S(action=None, resource='*', NotAction='iam:*')), pol(S(effect='Deny', action=None, resource='*', NotAction='iam:*'), S()))
fx('allow-with-not-resource', pol(S(action='s3:*', resource=None, NotResource='arn:aws:s3:::amzn-s3-demo-bucket/*')), pol(S(action='s3:*')))
fx('allow-with-not-principal', pol(R(principal=None, NotPrincipal={'AWS':ACC})), pol(R()), 'resource')
also('allow-with-not-principal', 'fail.endpoint.json', pol(R(principal=None, NotPrincipal={'AWS':ACC})))
# With Deny, NotPrincipal is supported (the NotPrincipal page's own example).
also('allow-with-not-principal', 'pass.resource.deny.json', pol(R(effect='Deny', principal=None, action='s3:*', resource='arn:aws:s3:::amzn-s3-demo-bucket/*', NotPrincipal={'AWS':['arn:aws:iam::444455556666:user/Bob', 'arn:aws:iam::444455556666:root']})))
fx('public-principal-without-condition', pol(R(principal='*')), pol(R(principal='*', Condition={'StringEquals':{'aws:PrincipalOrgID':'o-a1b2c3d4e5'}})), 'resource')
fx('restrict-access-to-service-principal', pol(R(principal={'Service':'cloudtrail.amazonaws.com'}, action='s3:PutObject')), pol(R(principal={'Service':'cloudtrail.amazonaws.com'}, action='s3:PutObject', Condition={'StringEquals':{'aws:SourceAccount':'111122223333'}})), 'resource')
fx('redundant-statement', pol(S(action='s3:Get*'), S(action='s3:GetObject')), pol(S(action='s3:GetObject'), S(action='s3:PutObject')))
fx('unreachable-statement', pol(S(effect='Deny', action='s3:*', resource='*'), S(action='s3:GetObject')), pol(S(effect='Deny', action='s3:DeleteObject', resource='*'), S(action='s3:GetObject')))
fx('unknown-service', pol(S(action='s3x:GetObject')), good_id)
# Retired services (in the reference of 2024-10-24, not in the current one).
fx('retired-service', pol(S(action=['codestar:ListProjects', 'evidently:GetProject'], resource='*')), pol(S(action='codecommit:ListRepositories', resource='*')))
# Names the reference lacks but AWS managed policies use (IAM accepts them).
fx('differs-from-reference', pol(S(action=['payments:GetAccountBalance', 'mobilehub:*'], resource='*')), pol(S(action='s3:GetObject')))
also('differs-from-reference', 'fail.identity.condition-key.json', pol(S(action='lakeformation:GetDataAccess', resource='*', Condition={'Null':{'lakeformation:GlueARN':'true'}})))
also('differs-from-reference', 'fail.identity.unqualified.json', pol(S(action='events:PutRule', resource='*', Condition={'StringEquals':{'events:detail-type':'EC2 Instance State-change Notification'}})))
fx('unknown-action', pol(S(action='s3:GetObjekt')), good_id)
fx('invalid-global-condition-key', pol(S(Condition={'IpAddress':{'aws:SourceIpAddress':'203.0.113.0/24'}})), pol(S(Condition={'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}})))
fx('invalid-service-condition-key', pol(S(action='s3:ListBucket', resource='arn:aws:s3:::amzn-s3-demo-bucket', Condition={'StringLike':{'s3:prefixes':'home/*'}})), pol(S(action='s3:ListBucket', resource='arn:aws:s3:::amzn-s3-demo-bucket', Condition={'StringLike':{'s3:prefix':'home/*'}})))
fx('type-mismatch-operator', pol(S(Condition={'StringEquals':{'aws:MultiFactorAuthAge':'3600'}})), pol(S(Condition={'NumericLessThan':{'aws:MultiFactorAuthAge':'3600'}})))
fx('deny-with-unsupported-tag-condition-key-for-service', pol(S(effect='Deny', action=['iam:ListRoles','iam:DeleteRole'], resource='*', Condition={'StringEquals':{'aws:ResourceTag/team':'admins'}})), pol(S(effect='Deny', action='iam:DeleteRole', resource='*', Condition={'StringEquals':{'aws:ResourceTag/team':'admins'}})))
fx('allow-with-unsupported-tag-condition-key-for-service', pol(S(action='iam:ListRoles', resource='*', Condition={'StringEquals':{'aws:ResourceTag/team':'admins'}})), pol(S(action='iam:DeleteRole', resource='*', Condition={'StringEquals':{'aws:ResourceTag/team':'admins'}})))
# One action of a service that ignores the key, another that supports it.
also('allow-with-unsupported-tag-condition-key-for-service', 'fail.identity.one-action.json', pol(S(action=['iam:ListRoles', 'iam:DeleteRole'], resource='*', Condition={'StringEquals':{'aws:ResourceTag/team':'admins'}})))
fx('resource-matches-no-action', pol(S(action='s3:GetObject', resource='arn:aws:s3:::amzn-s3-demo-bucket')), good_id)
# Actions of the same name on several reference pages of one prefix (catalog merge).
also('resource-matches-no-action', 'fail.identity.elb.json', pol(S(action='elasticloadbalancing:AddTags', resource='arn:aws:s3:::amzn-s3-demo-bucket')))
also('resource-matches-no-action', 'pass.identity.elb-v2.json', pol(S(action='elasticloadbalancing:AddTags', resource=['arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/my-targets/73e2d6bc24d8a067', 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/my-alb/50dc6c495c0c9188', 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/my-classic-lb'])))
also('resource-matches-no-action', 'pass.identity.apigateway-v2.json', pol(S(action='apigateway:GET', resource=['arn:aws:apigateway:us-east-1::/apis', 'arn:aws:apigateway:us-east-1::/apis/a1b2c3/routes/r1', 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3'])))
also('resource-matches-no-action', 'pass.identity.marketplace-catalog.json', pol(S(action=['aws-marketplace:TagResource', 'aws-marketplace:ListTagsForResource'], resource=['arn:aws:aws-marketplace:us-east-1:111122223333:AWSMarketplace/SaaSProduct/prod-example12345', 'arn:aws:aws-marketplace:us-east-1:111122223333:AWSMarketplace/ChangeSet/example123456789'])))
also('resource-matches-no-action', 'pass.identity.greengrass-v2.json', pol(S(action='greengrass:TagResource', resource='arn:aws:greengrass:us-east-1:111122223333:components:com.example.HelloWorld')))
fx('privilege-escalation-action-on-star', pol(S(action='iam:AttachUserPolicy', resource='*')), pol(S(action='iam:AttachUserPolicy', resource='arn:aws:iam::111122223333:user/${aws:username}')))
# A combination: iam:PassRole with ec2:RunInstances, in two statements of one policy.
also('privilege-escalation-action-on-star', 'fail.identity.pass-role-and-run-instances.json', pol(S(action='ec2:RunInstances', resource='*'), S(action='iam:PassRole', resource='*', Sid='PassAnyRole')))
# One action of a combination alone is not an escalation.
also('privilege-escalation-action-on-star', 'pass.identity.run-instances-alone.json', pol(S(action=['ec2:RunInstances', 'cloudformation:CreateStack'], resource='*')))
fx('privilege-escalation-with-scoped-pass-role', pol(S(action=['lambda:CreateFunction', 'lambda:InvokeFunction'], resource='*'), S(action='iam:PassRole', resource='arn:aws:iam::111122223333:role/lambda-*')), pol(S(action=['lambda:CreateFunction', 'lambda:InvokeFunction'], resource='arn:aws:lambda:us-east-1:111122223333:function:app-*'), S(action='iam:PassRole', resource='arn:aws:iam::111122223333:role/lambda-*')))
also('privilege-escalation-with-scoped-pass-role', 'fail.identity.conditioned.json', pol(S(action='ec2:RunInstances', resource='*'), S(action='iam:PassRole', resource='*', Condition={'StringEquals':{'iam:PassedToService':'ec2.amazonaws.com'}})))
fx('bucket-policy-privilege-escalation', pol(S(action=['s3:PutBucketPolicy', 's3:GetBucketPolicy'], resource='arn:aws:s3:::*')), pol(S(action=['s3:PutBucketPolicy', 's3:GetBucketPolicy'], resource='arn:aws:s3:::amzn-s3-demo-bucket')))
also('bucket-policy-privilege-escalation', 'fail.identity.star.json', pol(S(action='s3:Put*', resource='*')))
fx('incomplete-arn', pol(S(action='cloudfront:GetDistribution', resource='arn:aws:cloudfront:*')), pol(S(action='cloudfront:GetDistribution', resource='arn:aws:cloudfront::111122223333:distribution/*')))
fx('credentials-exposure-action-on-star', pol(S(action='iam:CreateAccessKey', resource='*')), pol(S(action='iam:CreateAccessKey', resource='arn:aws:iam::111122223333:user/${aws:username}')))
# ecr:GetAuthorizationToken acts on no resource type: it can only be granted on `*`.
also('credentials-exposure-action-on-star', 'pass.identity.star-only.json', pol(S(action='ecr:GetAuthorizationToken', resource='*')))
fx('string-like-operator-with-arn-condition-keys', pol(R(principal={'Service':'sns.amazonaws.com'}, action='sqs:SendMessage', resource='arn:aws:sqs:us-east-1:111122223333:queue1', Condition={'StringLike':{'aws:SourceArn':'arn:aws:sns:*:111122223333:*'}})), pol(R(principal={'Service':'sns.amazonaws.com'}, action='sqs:SendMessage', resource='arn:aws:sqs:us-east-1:111122223333:queue1', Condition={'ArnLike':{'aws:SourceArn':'arn:aws:sns:*:111122223333:*'}})), 'resource')
fx('create-slr-with-star-in-resource', pol(S(action='iam:CreateServiceLinkedRole', resource='*')), pol(S(action='iam:CreateServiceLinkedRole', resource='*', Condition={'StringEquals':{'iam:AWSServiceName':'elasticloadbalancing.amazonaws.com'}})))
fx('unknown-policy-variable', pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:usrname}/*')), pol(S(resource='arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*')))
import shutil
keep=os.path.join(root,'README.md'); readme=open(keep).read() if os.path.exists(keep) else None
if os.path.isdir(root): shutil.rmtree(root)
os.makedirs(root)
if readme: open(keep,'w').write(readme)
for code, files in F.items():
    d=os.path.join(root, code); os.makedirs(d, exist_ok=True)
    for name, text in files:
        # Lone surrogates stand for raw bytes (`not-utf8`).
        open(os.path.join(d,name),'wb').write(text.encode('utf-8', 'surrogateescape'))
print(len(F))
